# pubsim in a container: a release build with the Swift runtime linked in statically, on Debian
# bookworm-slim, run as an unprivileged user.
#
#   docker build -t pubsim .
#   docker run --rm pubsim --help
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/out:/work/out" pubsim \
#     run /usr/share/pubsim/profiles/quickstart.yaml --report out/quickstart
# (the image runs as uid 10001: a bind-mounted folder must be writable by it, or by the --user
# given; podman can instead chown it for the container with -v "$PWD/out:/work/out:U")
#
# The base images are build arguments so that a mirror, or a pinned @sha256 digest, can be used.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --------------------------------------------------------------------------------------- build
FROM ${SWIFT_IMAGE} AS build

# Headers and pkg-config files for the CPcap and CZlib system-library targets (CResolv needs only
# glibc's libresolv, which libc6-dev already brings).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libpcap-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Only what the build reads. Tests/ and Benchmarks/ are there because the manifest declares their
# targets and SwiftPM refuses a package whose target folders are missing; they are not compiled.
# Package.resolved is optional (the glob lets the COPY pass without it); with it, the image gets
# exactly the dependency versions the repository was tested with.
COPY Package.swift Package.resolved* ./
COPY Sources ./Sources
COPY Benchmarks ./Benchmarks
COPY Tests ./Tests

# .build lives in a cache mount (BuildKit and podman/buildah both honour it): the dependency
# checkouts and object files survive between image builds, so a rebuild recompiles only what
# changed. The binary is therefore copied out of it, to /out, in the same step.
# --static-swift-stdlib links the Swift runtime and Foundation in, so the runtime image needs no
# Swift toolchain; the ldd check fails the build if that ever stops being true.
# strip drops the DWARF and the symbol table (145 MB -> 78 MB): Swift finds its metadata through
# ELF sections (swift5_*), not symbols, and dlsym uses .dynsym, which strip keeps. The cost: a
# crash backtrace shows addresses, not function names (`strip --strip-debug` keeps the names, 98 MB).
RUN --mount=type=cache,id=pubsim-swiftpm-build,target=/src/.build \
    swift build -c release --product pubsim --static-swift-stdlib \
 && install -D -m 0755 .build/release/pubsim /out/pubsim \
 && strip /out/pubsim \
 && ! ldd /out/pubsim | grep -E 'libswift|libFoundation|libdispatch' \
 && /out/pubsim --version

# ------------------------------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE} AS runtime

LABEL org.opencontainers.image.title="pubsim" \
      org.opencontainers.image.description="Load tests for SIP presence servers (PUBLISH, RFC 3903 Event State Compositors): run, replay, probe, with an embedded compositor"

# What the static binary still loads (see `ldd /usr/local/bin/pubsim`): libpcap (captures, and
# its own deps), zlib (HdrHistogram logs), libstdc++/libgcc_s (the Swift runtime's C++ parts);
# libc, libm and libresolv come with libc6. ca-certificates: trust roots for TLS targets.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libpcap0.8 zlib1g libstdc++6 libgcc-s1 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged uid (10001) that matches no host user; /work is its home and the working
# directory, writable, for reports and traces (bind-mount a host folder there to keep them).
RUN groupadd --gid 10001 pubsim \
 && useradd --uid 10001 --gid 10001 --home-dir /work --no-create-home --shell /usr/sbin/nologin pubsim \
 && install -d -o 10001 -g 10001 -m 0755 /work

COPY --from=build /out/pubsim /usr/local/bin/pubsim
# The example profiles, e.g. `run /usr/share/pubsim/profiles/quickstart.yaml`.
COPY profiles/ /usr/share/pubsim/profiles/

WORKDIR /work
USER 10001
# pubsim ends gracefully (stops, writes its report, exits 0) on SIGTERM as on SIGINT, so `docker
# stop` needs no init process in between.
ENTRYPOINT ["pubsim"]
CMD ["--help"]
