# Reach — the two set-up commands of the README:
#   make demo   installs the system libraries, builds, and runs the Hanoi demo into out/demo
#   make test   installs the system libraries and runs the test suite
SWIFT ?= swift
SHARED_ROADS := ../shared/data/roads/hanoi_urban_drive_2025-05-14.osm.pbf

.PHONY: setup build demo test bench clean

setup:
	./scripts/setup.sh

build: setup
	$(SWIFT) build -c release

# When the shared Hanoi road extract sits beside the checkout, link it as data/hanoi/roads.osm.pbf
# (ignored by git) so the demo uses network travel times; otherwise the demo says it estimates.
demo: build
	@if [ ! -e data/hanoi/roads.osm.pbf ] && [ -f $(SHARED_ROADS) ]; then \
	  ln -s ../../$(SHARED_ROADS) data/hanoi/roads.osm.pbf; echo "linked $(SHARED_ROADS) as data/hanoi/roads.osm.pbf"; fi
	.build/release/reach demo --out out/demo --report out/demo/report.html

test: setup
	$(SWIFT) test

bench: setup
	cd Benchmarks && $(SWIFT) run -c release reach-bench all

clean:
	rm -rf .build out
