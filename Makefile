# fairrec — thin Makefile; `make help` lists the targets.
# The real work is in Go tests and in scripts/.

GO        ?= go
DATA      ?= var
# PortAudio's Go binding trips checkptr under -race; the C side is not ours to fix.
RACEFLAGS := -race -gcflags='github.com/gordonklaus/portaudio=-d=checkptr=0'
export JACK_NO_START_SERVER := 1

ARM64_ENV := CC=aarch64-linux-gnu-gcc CGO_ENABLED=1 GOOS=linux GOARCH=arm64 \
	PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
ARMV7_ENV := CC=arm-linux-gnueabihf-gcc CGO_ENABLED=1 GOOS=linux GOARCH=arm GOARM=7 \
	PKG_CONFIG_LIBDIR=/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig

.DEFAULT_GOAL := help
.PHONY: help deps deps-cross build run test test-unit test-race check cross test-arm64 bench fuzz soak talkoff demo-audio deb test-deb

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: ## install what building and testing needs (only what is missing)
	@bash scripts/deps.sh

deps-cross: ## also install the arm64/armhf cross toolchains and qemu-user
	@bash scripts/deps.sh cross

build: deps ## build fairrecd and fairrec into bin/
	$(GO) build -o bin/ ./cmd/...

run: build ## run the daemon on the simulated board with the demo scenario
	@test -f $(DATA)/fairrec.key || bin/fairrec keys init --data $(DATA)
	bin/fairrecd --board sim --scenario scripts/demo/demo.toml --data $(DATA) --realtime --console stdio

test: deps check test-unit test-race ## everything CI runs: deps, check, tests, race tests

test-unit: ## the tests
	$(GO) test -count=1 ./...

test-race: ## the tests under the race detector (short mode)
	$(GO) test -count=1 -short $(RACEFLAGS) ./...

check: ## gofmt, go vet, staticcheck, layout rules
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) test -count=1 -run 'TestPackageDocs|TestLayering' .

cross: ## linux/arm64 and linux/arm/v7 binaries (cgo) into bin/
	@bash scripts/deps.sh cross
	$(ARM64_ENV) $(GO) build -o bin/linux-arm64/ ./cmd/...
	$(ARMV7_ENV) $(GO) build -o bin/linux-armv7/ ./cmd/...
	@ls -l bin/linux-arm64 bin/linux-armv7

test-arm64: ## the test suite under qemu-aarch64
	@bash scripts/deps.sh cross
	$(ARM64_ENV) FAIRREC_EXEC=qemu-aarch64 \
		$(GO) test -count=1 -short -exec qemu-aarch64 ./...

# With libspandsp-dev, firmware/dtmf's benchmarks and talk-off run also run
# spandsp's detector beside ours (a cgo test helper, never in the product).
BENCHTAGS = $(shell pkg-config --exists spandsp 2>/dev/null && echo -tags spandsp)

bench: deps ## benchmarks (numbers go in README's table)
	$(GO) test $(BENCHTAGS) -run '^$$' -bench . -benchmem ./...

fuzz: ## run every fuzz target for FUZZTIME (default 30s) each
	@bash scripts/fuzz.sh $${FUZZTIME:-30s}

soak: ## long runs: 1000 SIGKILLs of a recording vault, 500 random retention histories (~4 min)
	FAIRREC_SOAK=1 $(GO) test -count=1 -run 'TestCrash$$' -timeout 60m -v ./storage/vault/
	FAIRREC_POLICY_SEEDS=500 $(GO) test -count=1 -run Property -timeout 30m ./firmware/policy/

talkoff: deps ## DTMF and call-waiting talk-off: generated and recorded speech + music must give no digit, no alerting tone (~8 min)
	@bash scripts/deps.sh talkoff
	FAIRREC_TALKOFF=1 $(GO) test $(BENCHTAGS) -count=1 -run '^(TestTalkOffFull|TestTalkOffRecordedFull|TestTalkOffRecordedSpandsp)$$' -v -timeout 30m ./firmware/dtmf/
	FAIRREC_TALKOFF=1 $(GO) test -count=1 -run '^TestCallWaitingTalkOffFull$$' -v -timeout 30m ./firmware/callerid/

demo-audio: deps ## regenerate the demo callers' speech (espeak-ng, sox)
	scripts/demo/make-audio.sh

deb: ## Debian packages (arm64, armhf, amd64) of HEAD into dist/, with nfpm
	@bash scripts/deps.sh deb
	bash scripts/packaging/deb.sh dist

test-deb: deb ## install test: lintian, systemd-analyze, dpkg -i in an arm64 debootstrap under qemu (root, slow)
	bash scripts/packaging/test-deb.sh dist
