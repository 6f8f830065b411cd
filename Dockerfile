# integrabot as a container image: one static binary (content, locales and
# time zone data embedded) on a distroless base with CA certificates, running
# as the non-root user 65532.
#
#   docker build -t integrabot .
#   docker run --rm integrabot check        # validates the embedded content
#   docker compose up -d                    # bot + Redis, see compose.yaml
#
# Health: distroless has no shell and no curl, so the image has no HEALTHCHECK.
# Let the orchestrator probe the bot over HTTP on LISTEN_ADDR (default :8080):
#   GET /healthz  200 while the process is alive        (liveness probe)
#   GET /readyz   200 when Redis and Telegram answer     (readiness probe), else 503
# e.g. in Kubernetes: livenessProbe.httpGet {path: /healthz, port: 8080}.

FROM golang:1.26 AS build
WORKDIR /src
# modules first, so that a code change does not download them again (no
# RUN --mount caches: the image builds with the classic builder too)
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary, no libc needed; -tags timetzdata: the time
# zone database is inside the binary (the final image has none)
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/integrabot ./cmd/integrabot
# refuse to build an image whose embedded content or locales are broken
RUN /out/integrabot check

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/integrabot /integrabot
# the distroless user "nonroot"; the bot writes no files, so the root file
# system can be mounted read-only
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/integrabot"]
CMD ["serve"]
