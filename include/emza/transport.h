/*
 * libemza — network access: how OCSP, CRL and timestamp requests travel.
 *
 * By default libemza speaks HTTP itself (OpenSSL's HTTP client, with the
 * proxy from the http_proxy / no_proxy environment variables), with a
 * timeout and a cap on every response. An application that must route
 * requests itself (a gateway, an audit log, a test) supplies an
 * emza_transport_fn in the options instead. With `offline` set, no request is
 * made at all, through either path.
 *
 * Only URLs found in certificates or given by the caller (a TSA URL) are ever
 * requested; never one taken from a signed document's content.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_TRANSPORT_H
#define EMZA_TRANSPORT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default overall timeout of one request, in seconds. */
#define EMZA_NETWORK_TIMEOUT_DEFAULT 10
/** Largest response accepted by default (bytes); a longer one is an error. */
#define EMZA_NETWORK_RESPONSE_MAX (10 * 1024 * 1024)

/**
 * Sends one request and returns the response body.
 * `content_type` and `body` are NULL for a GET, set for a POST. The callback
 * returns EMZA_OK with `*out_body` (allocated with malloc(); libemza frees it
 * with free()) and `*out_len`, or a negative EMZA_E* code (EMZA_ENETWORK for
 * a failed request). Responses longer than `max_response` are refused by the
 * library even when the callback returns them. Called from the thread that
 * validates or signs; it must be thread-safe if the application validates in
 * several threads.
 */
typedef int (*emza_transport_fn)(void *ctx, const char *url, const char *content_type,
                                 const uint8_t *body, size_t body_len, size_t max_response,
                                 uint8_t **out_body, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* EMZA_TRANSPORT_H */
