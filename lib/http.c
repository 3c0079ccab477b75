/*
 * HTTP requests for OCSP, CRLs and timestamps (http.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/http.h>

#include "http.h"
#include "util/guard.h"

/*
 * Copies at most `max` bytes of `bio` into `out`; EMZA_ELIMIT beyond. A
 * streamed body (`stream`: the non-blocking connection itself, when no
 * Content-Type was required) is read until the peer closes, waiting for data
 * no later than `deadline`.
 */
static int read_all(emza_buf *out, BIO *bio, size_t max, int stream, time_t deadline)
{
    uint8_t chunk[16384];
    for (;;) {
        int n = BIO_read(bio, chunk, (int)sizeof(chunk));
        if (n <= 0) {
            if (stream && BIO_should_retry(bio)) {
                if (BIO_wait(bio, deadline, 100) <= 0)
                    return emza__error_ossl(EMZA_ENETWORK, __FILE__, __LINE__,
                                            "reading the response failed");
                continue;
            }
            break;
        }
        EMZA_ENSURE_MSG(out->len + (size_t)n <= max, EMZA_ELIMIT,
                        "the response is longer than %zu bytes", max);
        EMZA_GUARD(emza__buf_append(out, chunk, (size_t)n));
    }
    return EMZA_OK;
}

/*
 * One connection attempt to host:port, bounded by `deadline`. OpenSSL's own
 * connect (BIO_do_connect_retry) retries a refused connection until the
 * timeout, which would make a server that is down look like a slow one.
 */
static int connect_once(BIO **out, const char *host, char *port, time_t deadline,
                        const char *url)
{
    *out = NULL;
    BIO *b = BIO_new_connect(host);
    EMZA_ENSURE(b != NULL, EMZA_ENOMEM);
    if (BIO_set_conn_port(b, port) != 1) {
        BIO_free_all(b);
        return emza__error_ossl(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
    }
    BIO_set_nbio(b, 1);
    for (;;) {
        if (BIO_do_connect(b) > 0)
            break;
        if (!BIO_should_retry(b) || BIO_wait(b, deadline, 100) <= 0) {
            BIO_free_all(b);
            return emza__error_ossl(EMZA_ENETWORK, __FILE__, __LINE__, "%s: cannot connect",
                                    url);
        }
    }
    emza__ossl_clear();
    *out = b;
    return EMZA_OK;
}

static int via_callback(emza_buf *out, const emza__net *net, const char *url,
                        const char *content_type, const uint8_t *body, size_t body_len,
                        size_t max_response)
{
    uint8_t *resp = NULL;
    size_t resp_len = 0;
    int rc = net->transport(net->transport_ctx, url, content_type, body, body_len, max_response,
                            &resp, &resp_len);
    if (rc != EMZA_OK) {
        free(resp);
        EMZA_FAIL(rc < 0 ? rc : EMZA_ENETWORK, "%s: the application's transport failed", url);
    }
    if (resp_len > max_response) {
        free(resp);
        EMZA_FAIL(EMZA_ELIMIT, "%s: the response is longer than %zu bytes", url, max_response);
    }
    rc = emza__buf_append(out, resp, resp_len);
    free(resp);
    return rc;
}

static int via_openssl(emza_buf *out, const emza__net *net, const char *url,
                       const char *content_type, const uint8_t *body, size_t body_len,
                       const char *expected_type, size_t max_response)
{
    int rc = EMZA_OK, use_ssl = 0;
    char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    BIO *req = NULL, *resp = NULL, *conn = NULL;
    char full_path[EMZA_URL_MAX + 2];
    if (OSSL_HTTP_parse_url(url, &use_ssl, NULL, &host, &port, NULL, &path, &query, NULL) != 1) {
        emza__ossl_clear();
        EMZA_FAIL(EMZA_EINVAL, "%s is not a usable URL", url);
    }
    EMZA_TRY_ENSURE(!use_ssl, EMZA_EUNSUPPORTED, "%s: only http:// is used for OCSP, CRLs and "
                                                 "timestamps", url);
    int n = snprintf(full_path, sizeof(full_path), "%s%s%s", path, query ? "?" : "",
                     query ? query : "");
    EMZA_TRY_ENSURE(n > 0 && (size_t)n < sizeof(full_path), EMZA_EINVAL, "URL too long");
    if (body != NULL) {
        req = BIO_new_mem_buf(body, (int)body_len);
        EMZA_TRY_ENSURE(req != NULL, EMZA_ENOMEM, "out of memory");
    }
    int timeout = net->timeout_seconds > 0 ? net->timeout_seconds : EMZA_NETWORK_TIMEOUT_DEFAULT;
    time_t deadline = time(NULL) + timeout;
    /* Without a proxy (http_proxy / no_proxy from the environment), we connect ourselves:
       see connect_once. Through a proxy, OpenSSL connects to it. */
    if (OSSL_HTTP_adapt_proxy(NULL, NULL, host, 0) == NULL)
        EMZA_TRY(connect_once(&conn, host, port, deadline, url));
    /* With no expected Content-Type (CRLs), the body need not be ASN.1 (a PEM CRL) and is
       streamed from the connection. */
    int expect_asn1 = expected_type != NULL;
    resp = OSSL_HTTP_transfer(NULL, host, port, full_path, 0, NULL, NULL, conn, conn, NULL, NULL,
                              0, NULL, content_type, req, expected_type, expect_asn1,
                              max_response, timeout, 0);
    if (resp == NULL) {
        rc = emza__error_ossl(EMZA_ENETWORK, __FILE__, __LINE__, "%s: request failed", url);
        goto cleanup;
    }
    EMZA_TRY(read_all(out, resp, max_response, !expect_asn1, deadline));
cleanup:
    BIO_free(resp);
    BIO_free_all(conn);
    BIO_free(req);
    OPENSSL_free(host);
    OPENSSL_free(port);
    OPENSSL_free(path);
    OPENSSL_free(query);
    emza__ossl_clear();
    return rc;
}

int emza__http_exchange(emza_buf *out, const emza__net *net, const char *url,
                        const char *content_type, const uint8_t *body, size_t body_len,
                        const char *expected_type, size_t max_response)
{
    emza__buf_init(out, max_response);
    EMZA_ENSURE(net != NULL && url != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(strlen(url) <= EMZA_URL_MAX, EMZA_EINVAL, "URL longer than %d bytes",
                    EMZA_URL_MAX);
    EMZA_ENSURE_MSG(!net->offline, EMZA_ENETWORK, "%s: network access is off (offline)", url);
    EMZA_ENSURE_MSG(body == NULL || body_len <= INT32_MAX, EMZA_ELIMIT, "request too large");
    int rc = net->transport != NULL
                 ? via_callback(out, net, url, content_type, body, body_len, max_response)
                 : via_openssl(out, net, url, content_type, body, body_len, expected_type,
                               max_response);
    if (rc < 0)
        emza__buf_free(out);
    return rc;
}
