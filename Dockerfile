# The vercel-user-tokens image: the gRPC server as entrypoint, and the
# vercel-tokens CLI beside it (a health probe when the listener is TLS-only or
# behind the front proxy), and nginx, the chart's front proxy sidecar.
#
#   docker build -t vercel-user-tokens:$(cat VERSION) --build-arg VERSION=$(cat VERSION) \
#     --build-arg VUT_COMMIT=$(git rev-parse --short=12 HEAD) .
#
# The build stage runs scripts/build-release.sh, which `make test` also runs
# outside any container (tests/deploy). The runtime stage installs only the
# packages in docker/runtime-packages.txt, which a test checks against `ldd`
# of both binaries. It runs as an unprivileged user and writes nothing, so the
# root filesystem can be mounted read-only.

ARG DEBIAN_BUILD_IMAGE=debian:12
ARG DEBIAN_RUNTIME_IMAGE=debian:12-slim

FROM ${DEBIAN_BUILD_IMAGE} AS build
WORKDIR /src
COPY docker/apt-install.sh docker/
COPY scripts/deps/apt-core.txt scripts/deps/
RUN docker/apt-install.sh scripts/deps/apt-core.txt
COPY CMakeLists.txt VERSION ./
COPY proto/ proto/
COPY server/ server/
COPY client/cpp/ client/cpp/
COPY scripts/build-release.sh scripts/
# The commit vercel_tokens_build_info reports (the build context holds no
# .git): --build-arg VUT_COMMIT=$(git rev-parse --short=12 HEAD).
ARG VUT_COMMIT=
RUN scripts/build-release.sh /out

FROM ${DEBIAN_RUNTIME_IMAGE} AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="vercel-user-tokens" \
      org.opencontainers.image.description="gRPC service for Vercel user tokens" \
      org.opencontainers.image.version="${VERSION}"
COPY docker/apt-install.sh docker/runtime-packages.txt /tmp/deploy/
RUN /tmp/deploy/apt-install.sh /tmp/deploy/runtime-packages.txt \
    && rm -rf /tmp/deploy \
    && groupadd --system --gid 65532 vercel-tokens \
    && useradd --system --uid 65532 --gid 65532 --no-create-home \
         --home-dir /nonexistent --shell /usr/sbin/nologin vercel-tokens
COPY --from=build /out/vercel-tokens-server /out/vercel-tokens /usr/local/bin/
# Fails the build, rather than the first pod, when a library is missing.
RUN ! ldd /usr/local/bin/vercel-tokens-server /usr/local/bin/vercel-tokens \
      | grep 'not found' \
    && vercel-tokens-server --version
# Numeric, so that Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
# gRPC (--listen); Prometheus metrics when --metrics_listen is set.
EXPOSE 50051 9090
ENTRYPOINT ["/usr/local/bin/vercel-tokens-server"]
