# Phone-ready image classifiers from one multi-objective Optuna study. `make help` lists the targets.
SHELL := /bin/bash
# The locks hold for Python 3.11, 3.12 and 3.13 (Debian 12, Ubuntu 24.04, Debian 13). python3.11 is taken where
# it exists beside another python3: TensorFlow 2.19, the verified one, and the legacy Task Library run on it.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
endif
VENV := .venv
PY := $(VENV)/bin/python
# The TFLite Task Library (the C++ ImageClassifier of Android's deprecated Task API, a legacy column) cannot share
# a process with TensorFlow, so it gets an environment of its own holding only tflite-support, pillow and their
# needs. tflite-support has wheels for Python 3.11 only: see $(TASK_VENV)/.installed for where that comes from.
TASK_VENV := .venv-task-library
# MediaPipe (the ImageClassifier Android apps classify with now, and the TFLite metadata writer) brings opencv and
# matplotlib: its own environment.
MEDIAPIPE_VENV := .venv-mediapipe
# uv installs the locks in seconds; pip is the fallback (make install INSTALLER=pip). Both install the
# fully pinned locks without resolving them (see requirements.lock's header for why).
INSTALLER ?= uv
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv

STUDY ?= default
TRIALS ?= 40
# Wall time of `make study` (search, export of its front, report); whichever of TRIALS and TIME ends first.
TIME ?= 10m
STORAGE ?= sqlite:///studies/optuna.db
SPACE ?= spaces/default.yaml
DATA ?=
EPOCHS ?= 40
FOLDS ?= 5
SAMPLER ?= tpe
THREADS ?=
JOBS ?=
SKIP_UNREADABLE ?=
EXPORT ?= 1
TRIAL ?=
FORCE ?=
MAX_PARAMS ?=
MAX_MACS ?=
MAX_INT8_KB ?=
MAX_LATENCY_MS ?=
PORT ?=

# Every variable a user sets reaches the program as data, never as shell text: its raw value (make does not
# expand a `$(shell ...)` in it either) is exported, and recipes read it as "$$NAME", which the shell expands
# inside double quotes without running anything in it (quotes, `$(...)`, backticks, `;`). The program checks
# each value and refuses a bad one in one line with exit code 2. Recipes never write $(NAME) for these.
# STORAGE is never on a command line at all: the programs read it from their environment (as do the workers
# they spawn), so neither make's echo nor the process list shows a database password. make's own command line
# is public too: export STORAGE=... in the shell rather than passing it as make STORAGE=... .
USER_VARIABLES := DATA STUDY TRIALS TIME STORAGE SPACE EPOCHS FOLDS SAMPLER THREADS JOBS SKIP_UNREADABLE EXPORT \
  TRIAL FORCE MAX_PARAMS MAX_MACS MAX_INT8_KB MAX_LATENCY_MS PORT INSTALLER PYTHON
$(foreach name,$(USER_VARIABLES),$(eval override $(name) := $$(value $(name))))
export $(USER_VARIABLES)
# The optional arguments, as shell words built from those variables when the recipe runs.
OPTIONAL_ARGS := $${DATA:+--data "$$DATA"} $${THREADS:+--threads "$$THREADS"} $${JOBS:+--jobs "$$JOBS"} \
  $$(case "$$SKIP_UNREADABLE" in 1|true|yes) echo --skip-unreadable;; esac) \
  $${MAX_PARAMS:+--max-params "$$MAX_PARAMS"} $${MAX_MACS:+--max-macs "$$MAX_MACS"} \
  $${MAX_INT8_KB:+--max-int8-kb "$$MAX_INT8_KB"} $${MAX_LATENCY_MS:+--max-latency-ms "$$MAX_LATENCY_MS"}

export TF_CPP_MIN_LOG_LEVEL ?= 2
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: help install task-library task-library-env installer system-deps study worker check-data front report dashboard export promote mlflow-ui sync-mlflow bench test test-deps clean-cache

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: DATA=dir STUDY=$$STUDY TRIALS=$$TRIALS STORAGE=$$(echo "$$STORAGE" | sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#') SPACE=$$SPACE EPOCHS=$$EPOCHS FOLDS=$$FOLDS SAMPLER=$$SAMPLER EXPORT=$$EXPORT TRIAL=$$TRIAL FORCE=$$FORCE"
	@echo "             JOBS=n (trial processes, default one per core) THREADS=n (TensorFlow threads per process) SKIP_UNREADABLE=1 (leave unreadable images out instead of stopping)"
	@echo "             TIME=$$TIME (wall time of make study: 90s, 10m, 1h30m; TIME= for none)"
	@echo "             device budgets: MAX_PARAMS=n MAX_MACS=n MAX_INT8_KB=kb MAX_LATENCY_MS=ms (checked before training)"

install: $(VENV)/.installed $(TASK_VENV)/.installed $(MEDIAPIPE_VENV)/.installed ## create .venv, the Task Library's and MediaPipe's environments from the locks (INSTALLER=uv, or pip)

task-library: $(TASK_VENV)/.installed ## the legacy Task Library's own environment (.venv-task-library, Python 3.11), used by export and promote

installer:
	@case "$$INSTALLER" in uv|pip) ;; *) echo "error: INSTALLER=$$INSTALLER is not an installer this Makefile knows; use INSTALLER=uv (default) or INSTALLER=pip" >&2; exit 2;; esac
	@command -v "$$PYTHON" >/dev/null 2>&1 || { echo "error: PYTHON=$$PYTHON is not on this machine; install Python 3.11, 3.12 or 3.13 with its venv module (Debian/Ubuntu: apt-get install -y python3 python3-venv) or set PYTHON=/path/to/python3.11" >&2; exit 2; }
	@"$$PYTHON" -c 'import sys; v = "%d.%d" % sys.version_info[:2]; v in ("3.11", "3.12", "3.13") or (sys.stderr.write("error: PYTHON=%s is Python %s, and the locks are for 3.11, 3.12 or 3.13 (TensorFlow has no wheel for the others); install one of them with its venv module (Debian/Ubuntu: apt-get install -y python3-venv) and run make again, or set PYTHON=/path/to/python3.13\n" % (sys.argv[1], v)), sys.exit(2))' "$$PYTHON"
	@"$$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || { echo "error: PYTHON=$$PYTHON has no venv module (Debian and Ubuntu package it apart): apt-get install -y python3-venv (or python3.X-venv for PYTHON=python3.X), then run make again" >&2; exit 2; }

# uv lives in a small tool environment of the project's own, so no system Python is touched.
$(UV):
	"$$PYTHON" -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# $(1): the environment's folder, $(2): its lock, $(3): its Python (a shell word; PYTHON unless told). No
# resolution: the locks are exact and complete.
# Bytecode is compiled once here (uv does not by default), so a host with PYTHONDONTWRITEBYTECODE set (CI
# images, containers) does not recompile TensorFlow at every start (BENCHMARKS.md, "Commands at 100 and
# 1,000 trials": `import tensorflow` 12.2 s without the .pyc files, 4.7 s with them); compiling adds about
# 15 s to the install.
define install_lock
	@$(MAKE) --no-print-directory installer
	$(if $(filter uv,$(INSTALLER)),@test -x $(UV) || $(MAKE) --no-print-directory $(UV))
	$(if $(filter uv,$(INSTALLER)),$(UV) venv --quiet --allow-existing --python "$$(command -v $(or $(3),"$$PYTHON"))" $(1),$(or $(3),"$$PYTHON") -m venv $(1))
	$(if $(filter uv,$(INSTALLER)),$(UV) pip sync --quiet --compile-bytecode --python $(1)/bin/python $(2),$(1)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --compile -r $(2))
	touch $(1)/.installed
endef

$(VENV)/.installed: requirements.lock
	$(call install_lock,$(VENV),requirements.lock)

# A Python 3.11 for the Task Library: PYTHON when it is 3.11, else python3.11 from the PATH, else one uv finds or
# installs (where the internet reaches its downloads). With none, the environment is left out in one line and
# marked so (no python inside, so export and promote say the legacy column was not run; MediaPipe, the phone
# check, is unaffected), and not looked for again until its lock changes.
TASK_PYTHON_FOUND = $$(for py in "$$PYTHON" python3.11; do "$$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  2>/dev/null && { command -v "$$py"; exit; }; done; [ "$$INSTALLER" = uv ] && { $(UV) python find 3.11 2>/dev/null \
  || { $(UV) python install --quiet 3.11 >/dev/null 2>&1 && $(UV) python find 3.11; }; })

$(TASK_VENV)/.installed: requirements-task-library.lock
	@$(MAKE) --no-print-directory installer
	$(if $(filter uv,$(INSTALLER)),@test -x $(UV) || $(MAKE) --no-print-directory $(UV))
	@py="$(TASK_PYTHON_FOUND)"; if [ -z "$$py" ]; then echo "note: the legacy TFLite Task Library column is left out: tflite-support has wheels for Python 3.11 only, and this host has none (install python3.11, then: rm -rf $(TASK_VENV) && make task-library)" >&2; \
	  mkdir -p $(TASK_VENV) && touch $@; \
	else $(MAKE) --no-print-directory system-deps && TASK_PYTHON="$$py" $(MAKE) --no-print-directory task-library-env; fi

task-library-env:
	@test -n "$$TASK_PYTHON" || { echo "error: task-library-env is made by make task-library, which finds its Python 3.11" >&2; exit 2; }
	$(call install_lock,$(TASK_VENV),requirements-task-library.lock,"$$TASK_PYTHON")

$(MEDIAPIPE_VENV)/.installed: requirements-mediapipe.lock
	$(call install_lock,$(MEDIAPIPE_VENV),requirements-mediapipe.lock)

system-deps: ## the system library tflite-support needs (libusb-1.0), installed when running as root
	@if ! /sbin/ldconfig -p | grep -q 'libusb-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing libusb-1.0-0 (needed by tflite-support)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libusb-1.0-0 >/dev/null; \
	  else \
	    echo "tflite-support needs the system library libusb-1.0. Install it, then re-run make:" >&2; \
	    echo "    sudo apt-get install -y libusb-1.0-0" >&2; exit 1; \
	  fi; \
	fi

study: install ## check the data, run or resume a study, export its front (EXPORT=0 skips), report: make study [DATA=dir] [STUDY=name] [TRIALS=n] [TIME=10m]
	$(PY) -m search run --study "$$STUDY" --trials "$$TRIALS" --space "$$SPACE" \
	  --epochs "$$EPOCHS" --folds "$$FOLDS" --sampler "$$SAMPLER" $(OPTIONAL_ARGS) \
	  $${TIME:+--time "$$TIME"} $$([ -n "$$TIME" ] && [ "$$EXPORT" != 0 ] && echo --reserve-export)
	if [ "$$EXPORT" != 0 ]; then $(PY) -m search export --study "$$STUDY"; fi
	$(PY) -m search report --study "$$STUDY"

worker: install ## join an existing study until its budget: make worker STUDY=name [THREADS=n] (with STORAGE exported: postgresql+psycopg2://...)
	$(PY) -m search worker --study "$$STUDY" $${THREADS:+--threads "$$THREADS"}

check-data: install ## report on a data folder (exit 1 on blocking problems): make check-data DATA=dir [FOLDS=n]
	@test -n "$$DATA" || { echo "make check-data needs DATA=<folder with one sub-folder per class>" >&2; exit 2; }
	$(PY) -m search check-data "$$DATA" --folds "$$FOLDS" $$(case "$$SKIP_UNREADABLE" in 1|true|yes) echo --skip-unreadable;; esac)

front: install ## print a study's Pareto front: make front [STUDY=name]
	$(PY) -m search front --study "$$STUDY"

report: install ## write reports/<study>/report.html and print the front: make report [STUDY=name]
	$(PY) -m search report --study "$$STUDY"

dashboard: install ## optuna-dashboard on 127.0.0.1 with trial notes and artifacts: make dashboard [PORT=8080]
	$(PY) -m search dashboard --port "$${PORT:-8080}"

export: install ## refit every front trial, convert to TFLite, verify with LiteRT, print the table: make export [STUDY=name]
	$(PY) -m search export --study "$$STUDY"

promote: install ## phone build of one trial in builds/<study>/trial-<n>/, registered in MLflow: make promote TRIAL=n [STUDY=name] [FORCE=1]
	@test -n "$$TRIAL" || { echo "error: say which trial: make promote TRIAL=<n> (make front STUDY=<name> lists the front)" >&2; exit 2; }
	$(PY) -m search promote --study "$$STUDY" --trial "$$TRIAL" $${FORCE:+--force}

test: install test-deps ## run the test suite (real TensorFlow, Optuna, PostgreSQL, MLflow and Chromium, on tiny data)
	$(PY) -m pytest

test-deps: $(TASK_VENV)/.installed ## what the tests start for real: PostgreSQL, headless Chromium (installed when root) and the Task Library's environment
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing postgresql, chromium and chromium-driver (the tests run a real server and a real browser)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      postgresql chromium chromium-driver >/dev/null; \
	  else \
	    echo "the tests need PostgreSQL and Chromium. Install them, then re-run make test:" >&2; \
	    echo "    sudo apt-get install -y postgresql chromium chromium-driver" >&2; exit 1; \
	  fi; \
	fi

bench: install ## the benchmark of BENCHMARKS.md (hours): recipe vs random search vs the service, digits and Fashion-MNIST
	@if [ ! -d /usr/share/datasets/fashion-mnist ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; \
	  else echo "the benchmark needs Fashion-MNIST: sudo apt-get install -y dataset-fashion-mnist" >&2; exit 1; fi; \
	fi
	@if [ ! -f /usr/share/backgrounds/mate/nature/Blinds.jpg ] || [ ! -f /usr/share/backgrounds/Dragonfly_by_Bolly.jpg ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    mate-backgrounds lomiri-wallpapers ukui-wallpapers gnome-backgrounds >/dev/null; \
	  else echo "the real-photo case needs: sudo apt-get install -y mate-backgrounds lomiri-wallpapers ukui-wallpapers gnome-backgrounds" >&2; exit 1; fi; \
	fi
	$(if $(filter uv,$(INSTALLER)),$(UV) pip install --quiet --no-deps --python $(PY),$(PY) -m pip install --quiet --no-deps) -r requirements-bench.lock
	$(PY) -m bench.photo_sets
	$(PY) -m bench
	$(PY) -m bench photos

clean-cache: ## delete resized-image caches (studies, builds and MLflow records are kept)
	rm -rf cache/sizes


mlflow-ui: install ## the MLflow UI for the local store, on 127.0.0.1 only: make mlflow-ui [PORT=5000]
	@mkdir -p mlflow/artifacts
	$(PY) -m mlflow ui --host 127.0.0.1 --port "$${PORT:-5000}" \
	  --backend-store-uri sqlite:///mlflow/mlflow.db --default-artifact-root mlflow/artifacts

sync-mlflow: install ## log a study's missing trials to MLflow from its Optuna storage: make sync-mlflow [STUDY=name]
	$(PY) -m search sync-mlflow --study "$$STUDY"
