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

# vet is the style gate of make test: gofmt, go vet and staticcheck (a
# pinned release, run with `go run` so that it stays out of go.mod).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

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
