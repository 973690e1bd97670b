# Reach — the two set-up commands of the README:
#   make demo   installs the system libraries, builds, and runs the Hanoi demo into out/demo
#   make test   installs the system libraries and runs the test suite
#   make install PREFIX=/usr/local   a release build with the Swift runtime linked in statically,
#               installed as PREFIX/bin/reach with the bundled data in PREFIX/share/reach and the
#               bash completion in PREFIX/share/bash-completion/completions/reach
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: setup build demo test bench clean install uninstall

setup:
	./scripts/setup.sh

build: setup
	$(SWIFT) build -c release

# The bundled scenario carries its road network (data/hanoi/roads.osm.pbf): no download needed.
demo: build
	.build/release/reach demo --out out/demo --report out/demo/report.html

test: setup
	$(SWIFT) test

bench: setup
	cd Benchmarks && $(SWIFT) run -c release reach-bench all

install: setup
	$(SWIFT) build -c release --product reach --static-swift-stdlib
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/reach" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions"
	install -m 0755 .build/release/reach "$(DESTDIR)$(PREFIX)/bin/reach"
	cp -R data/. "$(DESTDIR)$(PREFIX)/share/reach/"
	.build/release/reach --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/reach"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/reach (data in $(DESTDIR)$(PREFIX)/share/reach)"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/reach" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/reach"
	rm -rf "$(DESTDIR)$(PREFIX)/share/reach"

clean:
	rm -rf .build out
