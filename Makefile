# govs build and test entry points. `make test` is what CI runs (.ci/run).
GO        ?= go
GOFLAGS   ?= -buildvcs=false
export GOFLAGS
BIN       := bin/govs
APT_PKGS  := openvswitch-switch openvswitch-common iperf3 ethtool tcpdump iputils-ping \
             iproute2 netsniff-ng procps sysstat psmisc nftables
FUZZTIME  ?= 60s

.PHONY: all build test deps vet fuzz bench-micro bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/govs

# deps installs what the tests need: Debian's OVS (client tools and the oracle
# daemon, with its services kept from starting) and the Go modules.
deps:
	./scripts/install-deps.sh $(APT_PKGS)
	$(GO) mod download

vet:
	$(GO) vet ./...

test: deps vet build
	GOVS_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 25m ./...

# Long fuzzing; the seed corpora run in `make test` as ordinary tests.
fuzz:
	./scripts/fuzz-all.sh $(FUZZTIME)

bench-micro: build
	$(GO) test -run '^$$' -bench 'BenchmarkPipeline' -benchtime 1s -count 5 ./dpif/ | ./scripts/bench-micro-report.sh

bench: build
	./bench/run.sh

clean:
	rm -rf bin
