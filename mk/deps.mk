# make deps: the Debian 12 packages the build, the tests and the demo need.
# apt-get runs only when something is missing, so a second run does nothing.
# prometheus-node-exporter is for a test that starts its own node_exporter:
# the service its package starts on a systemd host is stopped and disabled
# when make deps installed it.

DEB_PACKAGES := \
	build-essential pkg-config python3 \
	openvswitch-source \
	libjansson-dev libxml2-dev libcurl4-openssl-dev libvirt-dev \
	libcmocka-dev valgrind man-db groff-base \
	openvswitch-common openvswitch-switch jq hyperfine \
	openvswitch-switch-dpdk dpdk-dev \
	openjdk-17-jdk-headless libgoogle-gson-java junit5 groovy \
	qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
	debhelper lintian rpm rpmlint mmdebstrap libdistro-info-perl gpg strace gdb \
	prometheus-node-exporter logrotate

# make fuzz also needs clang's libFuzzer and sanitizer runtimes, and time(1).
FUZZ_PACKAGES := clang-14 libfuzzer-14-dev libclang-rt-14-dev time

deps: PACKAGES = $(DEB_PACKAGES)
deps-fuzz: PACKAGES = $(FUZZ_PACKAGES)
.PHONY: deps-fuzz
deps deps-fuzz:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -qx 'install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
	  echo "$@: the $(words $(PACKAGES)) packages are installed"; \
	else \
	  echo "$@: installing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "$@: apt-get needs root; run 'sudo make $@'" >&2; exit 1; fi; \
	  apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing || exit 1; \
	  case " $$missing " in *" prometheus-node-exporter "*) \
	    if [ -d /run/systemd/system ]; then \
	      echo "$@: the tests run node_exporter themselves: its service, which the package enables, is stopped and disabled"; \
	      systemctl disable --now prometheus-node-exporter.service; \
	    fi;; \
	  esac; \
	fi
