# Every target builds and uses its own virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-editors bench fuzz check clean vscode-test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: $(STAMP) vscode-test differential-deps vscode-e2e-deps
	$(BIN)/python -m pytest -q

# Only the editor end-to-end tests (tests/editors): VS Code in code-server, Neovim 0.7 and 0.12, Emacs.
test-editors: $(STAMP) vscode-test vscode-e2e-deps
	$(BIN)/python -m pytest -q tests/editors

# The VS Code extension (editors/vscode): npm ci (only when package-lock.json changed), a .vsix packaged
# with vsce (its prepublish step compiles and copies the schemas), then the unit tests under Node's test
# runner on the compiled code. Skipped without Node.js 20+ and npm (a failure when CI=true).
VSCODE := editors/vscode
VSCODE_DEPS := $(VSCODE)/node_modules/.installed

$(VSCODE_DEPS): $(VSCODE)/package-lock.json
	cd $(VSCODE) && npm ci --no-audit --no-fund --loglevel=error --prefer-offline
	touch $@

vscode-test:
	@if command -v npm >/dev/null 2>&1 && node -e 'process.exit(parseInt(process.versions.node, 10) < 20 ? 1 : 0)'; then \
		$(MAKE) --no-print-directory vscode-build; \
	elif [ "$${CI:-}" = true ]; then \
		echo "vscode-test: CI=true but Node.js 20+ and npm are missing (.ci/run installs them)" >&2; exit 1; \
	else \
		echo "vscode-test: skipped (needs Node.js 20+ and npm; the VS Code extension was not built)"; \
	fi

# The .vsix carries the server: scripts/fetch-wheels.py puts the coder-catalog wheel and the wheels of
# its dependencies for one platform target and CPython 3.11-3.14 into editors/vscode/bundled/ (the
# dependency wheels are kept in editors/vscode/build/wheels/ and fetched again only when pyproject's
# dependencies change). vscode-build packages the host's target only, as coder-catalog.vsix.
VSCODE_TARGETS := linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64
VSCODE_HOST_TARGET := $(shell uname -s | sed 's/Linux/linux/;s/Darwin/darwin/')-$(shell uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')

.PHONY: vscode-build
vscode-build: $(STAMP) $(VSCODE_DEPS)
	$(MAKE) --no-print-directory vscode-package TARGET=$(VSCODE_HOST_TARGET) OUT=coder-catalog.vsix
	cd $(VSCODE) && npm test --silent

.PHONY: vscode-package
vscode-package:
	cd $(VSCODE) && ../../$(BIN)/python scripts/fetch-wheels.py $(TARGET)
	cd $(VSCODE) && ./node_modules/.bin/vsce package --target $(TARGET) --out $(OUT) >.vsce.log 2>&1 \
		|| { cat .vsce.log; exit 1; }
	@cd $(VSCODE) && tail -n 1 .vsce.log && rm -f .vsce.log

# One .vsix per platform target, in editors/vscode/dist/ (for the Marketplace: vsce publish
# --packagePath dist/*.vsix).
.PHONY: vsix
vsix: $(STAMP) $(VSCODE_DEPS)
	mkdir -p $(VSCODE)/dist
	for target in $(VSCODE_TARGETS); do \
		$(MAKE) --no-print-directory vscode-package TARGET=$$target OUT=dist/coder-catalog-$$target.vsix || exit 1; \
	done
	@ls -l $(VSCODE)/dist/*.vsix

# The differential test (tests/differential) runs Backstage's own validators under Node.js: npm ci of
# its pinned packages (only when package-lock.json changed). Skipped without Node.js 20+ and npm (the
# test then skips too; both fail when CI=true).
DIFFERENTIAL := tests/differential
DIFFERENTIAL_DEPS := $(DIFFERENTIAL)/node_modules/.installed

$(DIFFERENTIAL_DEPS): $(DIFFERENTIAL)/package-lock.json
	cd $(DIFFERENTIAL) && npm ci --no-audit --no-fund --loglevel=error --prefer-offline
	touch $@

.PHONY: differential-deps
differential-deps:
	@if command -v npm >/dev/null 2>&1 && node -e 'process.exit(parseInt(process.versions.node, 10) < 20 ? 1 : 0)'; then \
		$(MAKE) --no-print-directory $(DIFFERENTIAL_DEPS); \
	elif [ "$${CI:-}" = true ]; then \
		echo "differential-deps: CI=true but Node.js 20+ and npm are missing (.ci/run installs them)" >&2; exit 1; \
	else \
		echo "differential-deps: skipped (needs Node.js 20+ and npm; tests/differential will skip)"; \
	fi

# The VS Code end-to-end test (tests/editors/test_vscode_e2e.py) runs the packaged extension in
# code-server, driven through Debian's Chromium: its install.sh brings code-server, playwright-core (no
# browser) and Node.js 24 from the npm registry (only when package-lock.json changed). Skipped without
# Node.js 20+ and npm (the test then skips too; both fail when CI=true).
VSCODE_E2E := tests/editors/vscode_e2e
VSCODE_E2E_DEPS := $(VSCODE_E2E)/node_modules/.installed

$(VSCODE_E2E_DEPS): $(VSCODE_E2E)/package-lock.json $(VSCODE_E2E)/install.sh
	$(VSCODE_E2E)/install.sh

.PHONY: vscode-e2e-deps
vscode-e2e-deps:
	@if command -v npm >/dev/null 2>&1 && node -e 'process.exit(parseInt(process.versions.node, 10) < 20 ? 1 : 0)'; then \
		$(MAKE) --no-print-directory $(VSCODE_E2E_DEPS); \
	elif [ "$${CI:-}" = true ]; then \
		echo "vscode-e2e-deps: CI=true but Node.js 20+ and npm are missing (.ci/run installs them)" >&2; exit 1; \
	else \
		echo "vscode-e2e-deps: skipped (needs Node.js 20+ and npm; tests/editors/test_vscode_e2e.py will skip)"; \
	fi

bench: $(STAMP)
	@$(BIN)/python -m benchmarks

# A longer run of the property-based edit/request fuzzing that `make test` runs briefly.
fuzz: $(STAMP)
	CODER_CATALOG_FUZZ_EXAMPLES=3000 $(BIN)/python -m pytest -q tests/reliability/test_fuzzed_edits.py tests/reliability/test_fuzzed_sessions.py

check: $(STAMP)
	$(BIN)/ruff check server tests benchmarks examples ci
	$(BIN)/ruff format --check server tests benchmarks examples ci
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
