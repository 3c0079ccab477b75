/*
 * The one way out to the network (include/emza/transport.h): every OCSP,
 * CRL and RFC 3161 request goes through emza__http_exchange, which honours
 * the offline switch, the application's transport callback, a timeout and a
 * response cap.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_HTTP_H
#define EMZA_HTTP_H

#include <emza/transport.h>

#include "util/buf.h"

/** Longest URL requested. */
#define EMZA_URL_MAX 2048

/** How a validation or signing may use the network. */
typedef struct emza__net {
    int offline;               /* 1: every request fails with EMZA_ENETWORK, nothing is sent */
    int timeout_seconds;       /* overall per request; <= 0 means EMZA_NETWORK_TIMEOUT_DEFAULT */
    emza_transport_fn transport; /* the application's, or NULL for OpenSSL's HTTP client */
    void *transport_ctx;
} emza__net;

/**
 * GET (`body` NULL) or POST `body` with `content_type` to an http:// `url`,
 * appending the response body to `out` (initialised here, capped at
 * `max_response`). `expected_type` (may be NULL) is the response
 * Content-Type required from OpenSSL's client; with one, the body must be
 * DER (OpenSSL checks its framing), without one (CRLs) any body is read to
 * the connection's end. Without a proxy, one connection attempt is made,
 * bounded by the timeout: a refused connection fails at once. Errors: EMZA_ENETWORK
 * (offline, unreachable, timeout, HTTP error, malformed response),
 * EMZA_ELIMIT (response too long), EMZA_EUNSUPPORTED (a scheme other than
 * http), EMZA_EINVAL (a malformed URL).
 */
int emza__http_exchange(emza_buf *out, const emza__net *net, const char *url,
                        const char *content_type, const uint8_t *body, size_t body_len,
                        const char *expected_type, size_t max_response);

#endif /* EMZA_HTTP_H */
