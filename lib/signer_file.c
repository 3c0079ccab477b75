/*
 * Key source: a private key held in memory, from a PKCS#12 file or from PEM
 * (or DER PKCS#8) files.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <emza/core.h>
#include <emza/signer.h>

#include "cert_internal.h"
#include "signer_internal.h"
#include "util/file.h"
#include "util/guard.h"

static int key_sign_digest(void *impl, const EVP_PKEY *public_key, const EVP_MD *md, int rsa_pss,
                           const uint8_t *digest, size_t digest_len, emza_buf *out)
{
    (void)public_key;
    EVP_PKEY *key = impl;
    int rc = EMZA_OK;
    uint8_t *sig = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    EMZA_TRY_ENSURE(ctx != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(EVP_PKEY_sign_init(ctx), EMZA_ECRYPTO, "the key cannot sign");
    EMZA_TRY(emza__signer_set_padding(ctx, EVP_PKEY_get_base_id(key), md, rsa_pss));
    size_t len = 0;
    EMZA_TRY_OSSL(EVP_PKEY_sign(ctx, NULL, &len, digest, digest_len), EMZA_ECRYPTO,
                  "signing failed");
    sig = malloc(len);
    EMZA_TRY_ENSURE(sig != NULL, EMZA_ENOMEM, "out of memory");
    EMZA_TRY_OSSL(EVP_PKEY_sign(ctx, sig, &len, digest, digest_len), EMZA_ECRYPTO,
                  "signing failed");
    rc = emza__buf_append(out, sig, len);
cleanup:
    free(sig);
    EVP_PKEY_CTX_free(ctx);
    emza__ossl_clear();
    return rc;
}

static void key_release(void *impl)
{
    EVP_PKEY_free(impl); /* OpenSSL clears private key material when freeing it */
}

static const emza__key_source key_file_source = {"key file", key_sign_digest, key_release};

/* True when OpenSSL's queue says a password was wrong (bad MAC or bad decrypt). */
static int ossl_says_bad_password(void)
{
    unsigned long e;
    int bad = 0;
    while ((e = ERR_peek_error()) != 0) {
        int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);
        if ((lib == ERR_LIB_PKCS12 && reason == PKCS12_R_MAC_VERIFY_FAILURE) ||
            (lib == ERR_LIB_PEM && reason == PEM_R_BAD_DECRYPT) ||
            (lib == ERR_LIB_EVP && reason == EVP_R_BAD_DECRYPT) ||
            (lib == ERR_LIB_PEM && reason == PEM_R_BAD_PASSWORD_READ) ||
            (lib == ERR_LIB_PKCS12 && reason == PKCS12_R_PKCS12_CIPHERFINAL_ERROR))
            bad = 1;
        ERR_get_error();
    }
    return bad;
}

/* Takes ownership of key, x509 and ca (a stack of extra certificates) whatever happens. */
static int signer_assemble(emza_signer **out, EVP_PKEY *key, X509 *x509, STACK_OF(X509) *ca,
                           const char *what)
{
    int rc = EMZA_OK;
    emza_cert *cert = NULL;
    emza_cert_list *chain = NULL;
    EMZA_TRY_ENSURE(key != NULL, EMZA_EFORMAT, "%s holds no private key", what);
    EMZA_TRY_ENSURE(x509 != NULL, EMZA_EFORMAT, "%s holds no certificate for its key", what);
    EMZA_TRY_ENSURE(X509_check_private_key(x509, key) == 1, EMZA_EFORMAT,
                    "%s: the private key does not match the certificate", what);
    emza__ossl_clear();
    EMZA_TRY(emza__cert_from_x509(&cert, x509));
    EMZA_TRY(emza_cert_list_new(&chain));
    for (int i = 0; ca != NULL && i < sk_X509_num(ca); i++) {
        emza_cert *c = NULL;
        EMZA_TRY(emza__cert_from_x509(&c, sk_X509_value(ca, i)));
        rc = emza_cert_list_add(chain, c);
        emza_cert_free(c);
        if (rc < 0)
            goto cleanup;
    }
    rc = emza__signer_new(out, &key_file_source, key, cert, chain);
    key = NULL;
cleanup:
    EVP_PKEY_free(key);
    emza_cert_free(cert);
    emza_cert_list_free(chain);
    X509_free(x509);
    sk_X509_pop_free(ca, X509_free);
    emza__ossl_clear();
    return rc;
}

int emza_signer_open_pkcs12(emza_signer **out, const char *path, const char *password)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(path != NULL && password != NULL, EMZA_EINVAL);
    EMZA_GUARD(emza_init());
    emza_buf buf;
    EMZA_GUARD(emza__file_read(&buf, path, EMZA_KEY_FILE_MAX));
    int rc = EMZA_OK;
    EVP_PKEY *key = NULL;
    X509 *x509 = NULL;
    STACK_OF(X509) *ca = NULL;
    const unsigned char *p = buf.data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)buf.len);
    if (p12 == NULL) {
        rc = emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__, "%s is not a PKCS#12 file", path);
        goto cleanup;
    }
    if (PKCS12_mac_present(p12) && PKCS12_verify_mac(p12, password, -1) != 1) {
        emza__ossl_clear();
        rc = emza__error_set(EMZA_EPASSWORD, __FILE__, __LINE__,
                             "%s cannot be opened with this password", path);
        goto cleanup;
    }
    if (PKCS12_parse(p12, password, &key, &x509, &ca) != 1) {
        if (ossl_says_bad_password())
            rc = emza__error_set(EMZA_EPASSWORD, __FILE__, __LINE__,
                                 "%s cannot be opened with this password", path);
        else
            rc = emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__,
                                  "%s cannot be read (an old or unsupported encryption?)", path);
        goto cleanup;
    }
    rc = signer_assemble(out, key, x509, ca, path);
    key = NULL;
    x509 = NULL;
    ca = NULL;
cleanup:
    PKCS12_free(p12);
    EVP_PKEY_free(key);
    X509_free(x509);
    sk_X509_pop_free(ca, X509_free);
    emza__buf_wipe_free(&buf);
    emza__ossl_clear();
    return rc;
}

/* Never prompts: an encrypted key without a password given is an error. */
static int password_callback(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *password = u;
    if (password == NULL)
        return -1;
    size_t len = strlen(password);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, password, len);
    return (int)len;
}

/* True for an encrypted key: a PEM ENCRYPTED block or a DER EncryptedPrivateKeyInfo. */
static int key_is_encrypted(const emza_buf *buf)
{
    if (emza__looks_like_pem(buf->data, buf->len))
        return emza__bytes_contain(buf->data, buf->len, "ENCRYPTED");
    const unsigned char *p = buf->data;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)buf->len);
    int encrypted = sig != NULL;
    X509_SIG_free(sig);
    emza__ossl_clear();
    return encrypted;
}

static int read_private_key(EVP_PKEY **out, const char *path, const char *password)
{
    *out = NULL;
    emza_buf buf;
    EMZA_GUARD(emza__file_read(&buf, path, EMZA_KEY_FILE_MAX));
    int rc = EMZA_OK;
    BIO *bio = BIO_new_mem_buf(buf.data, (int)buf.len);
    EMZA_TRY_ENSURE(bio != NULL, EMZA_ENOMEM, "out of memory");
    if (emza__looks_like_pem(buf.data, buf.len)) {
        *out = PEM_read_bio_PrivateKey(bio, NULL, password_callback, (void *)(uintptr_t)password);
    } else {
        /* DER: an unencrypted PKCS#8 (or traditional) key, else an encrypted PKCS#8 one. */
        const unsigned char *p = buf.data;
        *out = d2i_AutoPrivateKey(NULL, &p, (long)buf.len);
        if (*out == NULL) {
            emza__ossl_clear();
            *out = d2i_PKCS8PrivateKey_bio(bio, NULL, password_callback,
                                           (void *)(uintptr_t)password);
        }
    }
    if (*out == NULL) {
        /*
         * A wrong password usually fails the padding check, but about once in
         * 256 it decrypts to valid padding and then to garbage: for a key that
         * is encrypted, any failure to open it is reported as the password.
         */
        if (ossl_says_bad_password() || (password != NULL && key_is_encrypted(&buf)))
            rc = emza__error_set(EMZA_EPASSWORD, __FILE__, __LINE__,
                                 password ? "%s cannot be opened with this password"
                                          : "%s is encrypted: give its password",
                                 path);
        else
            rc = emza__error_ossl(EMZA_EFORMAT, __FILE__, __LINE__, "%s is not a private key", path);
    }
cleanup:
    BIO_free(bio);
    emza__buf_wipe_free(&buf);
    emza__ossl_clear();
    return rc;
}

int emza_signer_open_pem(emza_signer **out, const char *key_path, const char *key_password,
                         const char *cert_path, const char *chain_path)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(key_path != NULL && cert_path != NULL, EMZA_EINVAL);
    EMZA_GUARD(emza_init());
    int rc = EMZA_OK;
    EVP_PKEY *key = NULL;
    emza_cert *cert = NULL;
    emza_cert_list *chain = NULL;
    STACK_OF(X509) *ca = NULL;
    EMZA_TRY(read_private_key(&key, key_path, key_password));
    EMZA_TRY(emza_cert_load(&cert, cert_path));
    ca = sk_X509_new_null();
    EMZA_TRY_ENSURE(ca != NULL, EMZA_ENOMEM, "out of memory");
    if (chain_path != NULL) {
        EMZA_TRY(emza_cert_list_new(&chain));
        EMZA_TRY(emza_cert_list_add_path(chain, chain_path));
        for (size_t i = 0; i < emza_cert_list_count(chain); i++) {
            X509 *x = emza__cert_x509(emza_cert_list_get(chain, i));
            EMZA_TRY_ENSURE(X509_up_ref(x) == 1 && sk_X509_push(ca, x) > 0, EMZA_ENOMEM,
                            "out of memory");
        }
    }
    X509 *x509 = emza__cert_x509(cert);
    EMZA_TRY_ENSURE(X509_up_ref(x509) == 1, EMZA_ECRYPTO, "cannot reference certificate");
    rc = signer_assemble(out, key, x509, ca, key_path);
    key = NULL;
    ca = NULL;
cleanup:
    EVP_PKEY_free(key);
    emza_cert_free(cert);
    emza_cert_list_free(chain);
    sk_X509_pop_free(ca, X509_free);
    return rc;
}
