# Reach — the two set-up commands of the README:
#   make demo   installs the system libraries, builds, and runs the Hanoi demo into out/demo
#   make test   installs the system libraries and runs the test suite
SWIFT ?= swift

.PHONY: setup build demo test bench clean

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

clean:
	rm -rf .build out
