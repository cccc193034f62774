# syntax=docker/dockerfile:1
# posd container image: a static binary on distroless, running as non-root.
#   docker build -t odata-pos/posd --build-arg VERSION=$(git describe --always) .
# Multi-arch (the CI image job): docker buildx build --platform linux/amd64,linux/arm64 .
# The build stage runs on the builder's own platform and cross-compiles (no emulation).

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/posd ./cmd/posd \
 && mkdir -p /out/data && chown 65532:65532 /out/data && chmod 0700 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/posd /usr/local/bin/posd
# The development JWT key is generated here when no POS_JWT_SECRET / POS_JWT_KEY_FILE is
# given; mount a volume on it to keep the key across restarts.
COPY --from=build --chown=65532:65532 /out/data /var/lib/posd
ENV POS_HTTP_ADDR=0.0.0.0:8080 \
    POS_DATA_DIR=/var/lib/posd
USER 65532:65532
EXPOSE 8080
# posd probes its own /readyz (POS_OPS_ADDR, else POS_HTTP_ADDR): no shell needed.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/usr/local/bin/posd", "health"]
ENTRYPOINT ["/usr/local/bin/posd"]
