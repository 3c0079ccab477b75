/*
 * Key source: a smart card or token through a PKCS#11 module.
 *
 * The module is loaded with dlopen and C_GetFunctionList (p11-kit provides
 * only the header). Modules live in a process-wide table with reference
 * counts: every signer on a module shares one C_Initialize, and the last one
 * freed calls C_Finalize (unless the application had initialised the module
 * itself, in which case it stays initialised). Each signer has its own
 * session, logged in for its lifetime; PKCS#11 log-in state belongs to the
 * application and the token, so a second signer on a token this process is
 * already logged in to is not asked for the PIN, and a signer never calls
 * C_Logout (closing the last session logs out).
 *
 * The PIN passes through one buffer that lives in the signer: the PIN
 * callback fills it, C_Login reads it, and it is wiped straight after.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include <emza/core.h>
#include <emza/signer.h>

#include "cert_internal.h"
#include "signer_internal.h"
#include "signer_pkcs11_internal.h"
#include "util/der.h"
#include "util/guard.h"
#include "util/hex.h"

/* Last: in its compatibility mode the header defines (and at its end undefines) short macros. */
#include <p11-kit/pkcs11.h>

/* ------------------------------------------------------------------------ */
/* CKR_* in words, and as EMZA_E* codes                                     */
/* ------------------------------------------------------------------------ */

static const struct {
    CK_RV rv;
    const char *name;
    const char *words;
} ckr_names[] = {
    {CKR_CANCEL, "CKR_CANCEL", "cancelled"},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY", "the module ran out of memory"},
    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", "no such slot"},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", "the module failed"},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", "the function failed"},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", "the module refused the arguments"},
    {CKR_CANT_LOCK, "CKR_CANT_LOCK", "the module cannot use the operating system's locking"},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", "the attribute is secret"},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID", "the object has no such attribute"},
    {CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", "the data to sign has a length the key refuses"},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", "the device reported an error"},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", "the device ran out of memory"},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", "the token was removed"},
    {CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED", "cancelled on the device"},
    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED", "the module does not implement it"},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", "the key is gone"},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", "the key size is out of the token's range"},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", "the key does not fit the mechanism"},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED", "the key may not sign"},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", "the token does not offer this mechanism"},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID",
     "the token refuses the mechanism's parameters"},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", "the object is gone"},
    {CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", "another operation is under way"},
    {CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED", "no operation under way"},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", "the PIN is incorrect"},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID", "the PIN has characters the token does not accept"},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", "the PIN is too short or too long"},
    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", "the PIN has expired and must be changed"},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED", "the PIN is locked; unblock it with the PUK"},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", "the session was closed"},
    {CKR_SESSION_COUNT, "CKR_SESSION_COUNT", "too many sessions are open"},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", "the session is gone"},
    {CKR_SIGNATURE_LEN_RANGE, "CKR_SIGNATURE_LEN_RANGE", "the signature has a wrong length"},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", "the search template is incomplete"},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", "no token is present"},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", "the token is not recognised"},
    {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", "already logged in"},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", "not logged in"},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED",
     "the token's user PIN was never set"},
    {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", "the token refuses this kind of log-in"},
    {CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN",
     "another user is logged in"},
    {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", "the answer is too long"},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", "the module is not initialised"},
    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED",
     "the module is already initialised"},
};

void emza__pkcs11_describe(unsigned long rv, char *buf, size_t size)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(ckr_names); i++) {
        if (ckr_names[i].rv == rv) {
            snprintf(buf, size, "%s: %s", ckr_names[i].name, ckr_names[i].words);
            return;
        }
    }
    if (rv >= CKR_VENDOR_DEFINED)
        snprintf(buf, size, "CKR 0x%lx: an error of the module's vendor", rv);
    else
        snprintf(buf, size, "CKR 0x%lx: an error this library has no words for", rv);
}

int emza__pkcs11_code(unsigned long rv, int fallback)
{
    switch (rv) {
    case CKR_OK:
        return EMZA_OK;
    case CKR_PIN_INCORRECT:
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_INVALID:
    case CKR_PIN_EXPIRED:
        return EMZA_EPIN;
    case CKR_PIN_LOCKED:
        return EMZA_EPIN_LOCKED;
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_DEVICE_REMOVED:
    case CKR_SLOT_ID_INVALID:
    case CKR_TOKEN_NOT_RECOGNIZED:
        return EMZA_ENOTFOUND;
    case CKR_HOST_MEMORY:
    case CKR_DEVICE_MEMORY:
        return EMZA_ENOMEM;
    case CKR_CANCEL:
    case CKR_FUNCTION_CANCELED:
        return EMZA_ECANCELED;
    case CKR_MECHANISM_INVALID:
    case CKR_MECHANISM_PARAM_INVALID:
    case CKR_KEY_TYPE_INCONSISTENT:
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
        return EMZA_EUNSUPPORTED;
    default:
        return fallback;
    }
}

/* Records "WHAT: CKR_X: words" with the code emza__pkcs11_code gives; returns it. */
__attribute__((format(printf, 5, 6))) static int ckr_fail(CK_RV rv, int fallback,
                                                          const char *file, int line,
                                                          const char *fmt, ...)
{
    char what[EMZA_ERROR_MESSAGE_MAX], words[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    emza__pkcs11_describe(rv, words, sizeof(words));
    int code = emza__pkcs11_code(rv, fallback);
    return emza__error_set(code == EMZA_OK ? fallback : code, file, line, "%s: %s", what, words);
}

#define CKR_FAIL(rv, fallback, ...) ckr_fail((rv), (fallback), __FILE__, __LINE__, __VA_ARGS__)

/* Turns a failed call into an error and a jump to cleanup (inside a function with `rc`). */
#define CKR_TRY(call, fallback, ...)                                                               \
    do {                                                                                           \
        CK_RV ckr_try_rv_ = (call);                                                                \
        if (ckr_try_rv_ != CKR_OK) {                                                               \
            rc = CKR_FAIL(ckr_try_rv_, (fallback), __VA_ARGS__);                                   \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------------------ */
/* The process-wide table of loaded modules                                 */
/* ------------------------------------------------------------------------ */

typedef struct p11_module {
    struct p11_module *next;
    char *path; /* canonical (realpath), the table's key */
    void *handle;
    CK_FUNCTION_LIST_PTR fn;
    unsigned int refs;
    int finalize; /* this library initialised it: C_Finalize when the last user goes */
} p11_module;

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static p11_module *modules;

/* Loads, initialises and enters a module (or finds it entered under another name); the
   caller holds modules_lock. */
static int module_load(p11_module **out, const char *path, const char *given)
{
    *out = NULL;
    int rc = EMZA_OK;
    p11_module *m = calloc(1, sizeof(*m));
    EMZA_TRY_ENSURE(m != NULL, EMZA_ENOMEM, "out of memory");
    m->path = strdup(path);
    EMZA_TRY_ENSURE(m->path != NULL, EMZA_ENOMEM, "out of memory");
    dlerror();
    m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (m->handle == NULL) {
        const char *why = dlerror();
        rc = emza__error_set(EMZA_EIO, __FILE__, __LINE__,
                             "the PKCS#11 module %s cannot be loaded: %s", given,
                             why ? why : "unknown reason");
        goto cleanup;
    }
    /* The same shared object under another name (a bare name and a path to it): one entry,
       so one C_Initialize, and no C_Finalize while the other name's signers still use it. */
    for (p11_module *o = modules; o != NULL; o = o->next) {
        if (o->handle == m->handle) {
            EMZA_TRY_ENSURE(o->refs < UINT_MAX, EMZA_ELIMIT, "too many signers on %s", given);
            o->refs++;
            *out = o;
            goto cleanup; /* drops this dlopen's reference only */
        }
    }
    void *sym = dlsym(m->handle, "C_GetFunctionList");
    EMZA_TRY_ENSURE(sym != NULL, EMZA_EIO,
                    "%s is not a PKCS#11 module: it has no C_GetFunctionList", given);
    CK_C_GetFunctionList get_list;
    memcpy(&get_list, &sym, sizeof(get_list)); /* POSIX: a data pointer to a function pointer */
    CKR_TRY(get_list(&m->fn), EMZA_EIO, "the PKCS#11 module %s gives no function list", given);
    EMZA_TRY_ENSURE(m->fn != NULL && m->fn->C_Initialize != NULL, EMZA_EIO,
                    "the PKCS#11 module %s gives no function list", given);
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof(args));
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = m->fn->C_Initialize(&args);
    if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        m->finalize = 0; /* the application's: it finalises it */
    } else if (rv == CKR_OK) {
        m->finalize = 1;
    } else {
        rc = CKR_FAIL(rv, EMZA_EIO, "the PKCS#11 module %s cannot be initialised", given);
        goto cleanup;
    }
    m->refs = 1;
    m->next = modules;
    modules = m;
    *out = m;
    m = NULL;
cleanup:
    if (m != NULL) {
        if (m->handle != NULL)
            dlclose(m->handle);
        free(m->path);
        free(m);
    }
    return rc;
}

/* The module at `path`, loaded and initialised once per process; release with module_release. */
static int module_acquire(p11_module **out, const char *path)
{
    *out = NULL;
    /* A path is made canonical, so that two spellings share one entry; a bare
     * name ("opensc-pkcs11.so") is left for dlopen to find in the library path. */
    char *real = strchr(path, '/') != NULL ? realpath(path, NULL) : strdup(path);
    if (real == NULL)
        EMZA_FAIL(EMZA_EIO, "the PKCS#11 module %s cannot be loaded: %s", path, strerror(errno));
    int rc = EMZA_OK;
    pthread_mutex_lock(&modules_lock);
    for (p11_module *m = modules; m != NULL; m = m->next) {
        if (strcmp(m->path, real) == 0) {
            EMZA_TRY_ENSURE(m->refs < UINT_MAX, EMZA_ELIMIT, "too many signers on %s", path);
            m->refs++;
            *out = m;
            goto cleanup;
        }
    }
    rc = module_load(out, real, path);
cleanup:
    pthread_mutex_unlock(&modules_lock);
    free(real);
    return rc;
}

static void module_release(p11_module *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&modules_lock);
    if (--m->refs == 0) {
        for (p11_module **p = &modules; *p != NULL; p = &(*p)->next) {
            if (*p == m) {
                *p = m->next;
                break;
            }
        }
        if (m->finalize)
            m->fn->C_Finalize(NULL);
        dlclose(m->handle);
        free(m->path);
        free(m);
    }
    pthread_mutex_unlock(&modules_lock);
}

/* ------------------------------------------------------------------------ */
/* A signer's state                                                          */
/* ------------------------------------------------------------------------ */

typedef struct p11_key {
    p11_module *module;
    CK_FUNCTION_LIST_PTR fn;
    CK_SESSION_HANDLE session;
    int has_session;
    CK_OBJECT_HANDLE key;
    CK_KEY_TYPE key_type;
    int always_authenticate;
    int protected_path; /* a PIN pad: the token asks for the PIN itself */
    char token_label[33];
    emza_pin_fn pin;
    void *pin_ctx;
    char pin_buf[EMZA_PKCS11_PIN_MAX]; /* the PIN, only between the callback and C_Login */
} p11_key;

static void p11_release(void *impl)
{
    p11_key *k = impl;
    if (k == NULL)
        return;
    if (k->has_session)
        k->fn->C_CloseSession(k->session); /* the last session closed logs the token out */
    module_release(k->module);
    OPENSSL_cleanse(k, sizeof(*k));
    free(k);
}

/*
 * Logs in as `user` (CKU_USER, or CKU_CONTEXT_SPECIFIC before a signature by a
 * CKA_ALWAYS_AUTHENTICATE key), asking the PIN callback unless the token has
 * a PIN pad. The PIN is wiped whatever happens.
 */
static int p11_login(p11_key *k, CK_USER_TYPE user)
{
    CK_RV rv;
    int for_signature = user == CKU_CONTEXT_SPECIFIC;
    if (k->protected_path) {
        rv = k->fn->C_Login(k->session, user, NULL, 0);
    } else {
        EMZA_ENSURE_MSG(k->pin != NULL, EMZA_EINVAL,
                        "the token '%s' needs a PIN and no PIN callback was given", k->token_label);
        size_t len = 0;
        int rc = k->pin(k->pin_ctx, k->token_label, for_signature, k->pin_buf,
                        sizeof(k->pin_buf), &len);
        if (rc < 0) {
            OPENSSL_cleanse(k->pin_buf, sizeof(k->pin_buf));
            EMZA_FAIL(rc, "the PIN callback for the token '%s' failed (%s)", k->token_label,
                      emza_error_name(rc));
        }
        if (rc > 0 || len > sizeof(k->pin_buf)) {
            OPENSSL_cleanse(k->pin_buf, sizeof(k->pin_buf));
            EMZA_FAIL(rc > 0 ? EMZA_EINVAL : EMZA_ELIMIT,
                      rc > 0 ? "the PIN callback returned %d, not 0 or an EMZA_E* code"
                             : "the PIN callback gave a PIN longer than %d bytes",
                      rc > 0 ? rc : EMZA_PKCS11_PIN_MAX);
        }
        rv = k->fn->C_Login(k->session, user, (CK_UTF8CHAR_PTR)k->pin_buf, (CK_ULONG)len);
        OPENSSL_cleanse(k->pin_buf, sizeof(k->pin_buf));
    }
    if (rv == CKR_USER_ALREADY_LOGGED_IN && !for_signature)
        return EMZA_OK;
    if (rv != CKR_OK)
        return CKR_FAIL(rv, EMZA_ECRYPTO, "the token '%s' refused the log-in%s", k->token_label,
                        for_signature ? " for a signature" : "");
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* Objects on the token                                                      */
/* ------------------------------------------------------------------------ */

/* Up to EMZA_PKCS11_OBJECTS_MAX objects matching `tmpl`; more is EMZA_ELIMIT. */
static int find_objects(p11_key *k, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *found,
                        CK_ULONG *count, const char *what)
{
    *count = 0;
    CK_RV rv = k->fn->C_FindObjectsInit(k->session, tmpl, n);
    if (rv != CKR_OK)
        return CKR_FAIL(rv, EMZA_ECRYPTO, "cannot search the token '%s' for %s", k->token_label,
                        what);
    rv = k->fn->C_FindObjects(k->session, found, EMZA_PKCS11_OBJECTS_MAX, count);
    CK_OBJECT_HANDLE more;
    CK_ULONG more_count = 0;
    if (rv == CKR_OK && *count == EMZA_PKCS11_OBJECTS_MAX)
        rv = k->fn->C_FindObjects(k->session, &more, 1, &more_count);
    k->fn->C_FindObjectsFinal(k->session);
    if (rv != CKR_OK) {
        *count = 0;
        return CKR_FAIL(rv, EMZA_ECRYPTO, "cannot search the token '%s' for %s", k->token_label,
                        what);
    }
    if (*count > EMZA_PKCS11_OBJECTS_MAX || more_count > 0) {
        *count = 0;
        EMZA_FAIL(EMZA_ELIMIT, "the token '%s' holds more than %d %s", k->token_label,
                  EMZA_PKCS11_OBJECTS_MAX, what);
    }
    return EMZA_OK;
}

/*
 * Reads attribute `type` of `obj` into `out` (a fresh buffer of at most `max`
 * bytes). EMZA_ENOTFOUND when the object does not have it or keeps it secret.
 */
static int read_attribute(p11_key *k, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, size_t max,
                          emza_buf *out)
{
    emza__buf_init(out, max);
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv = k->fn->C_GetAttributeValue(k->session, obj, &a, 1);
    if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
        a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        EMZA_FAIL(EMZA_ENOTFOUND, "the object has no readable attribute 0x%lx", type);
    if (rv != CKR_OK)
        return CKR_FAIL(rv, EMZA_ECRYPTO, "cannot read an attribute on the token '%s'",
                        k->token_label);
    EMZA_ENSURE_MSG(a.ulValueLen <= max, EMZA_ELIMIT,
                    "an attribute on the token '%s' is %lu bytes long, more than %zu",
                    k->token_label, a.ulValueLen, max);
    if (a.ulValueLen == 0)
        return EMZA_OK;
    int rc = EMZA_OK;
    CK_ULONG size = a.ulValueLen;
    uint8_t *tmp = calloc(1, size);
    EMZA_ENSURE_MSG(tmp != NULL, EMZA_ENOMEM, "out of memory");
    a.pValue = tmp;
    rv = k->fn->C_GetAttributeValue(k->session, obj, &a, 1);
    if (rv != CKR_OK)
        rc = CKR_FAIL(rv, EMZA_ECRYPTO, "cannot read an attribute on the token '%s'",
                      k->token_label);
    else if (a.ulValueLen > size) /* a faulty module: never read past the buffer */
        rc = emza__error_set(EMZA_ECRYPTO, __FILE__, __LINE__,
                             "the PKCS#11 module claims an attribute on the token '%s' longer "
                             "than the buffer it was given (%lu bytes, not %lu)",
                             k->token_label, a.ulValueLen, size);
    else
        rc = emza__buf_append(out, tmp, a.ulValueLen);
    free(tmp);
    if (rc < 0)
        emza__buf_free(out);
    return rc;
}

/* A CK_ULONG attribute (class, key type); EMZA_ENOTFOUND when missing. */
static int read_ulong(p11_key *k, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, CK_ULONG *out)
{
    CK_ATTRIBUTE a = {type, out, sizeof(*out)};
    CK_RV rv = k->fn->C_GetAttributeValue(k->session, obj, &a, 1);
    EMZA_ENSURE_MSG(rv == CKR_OK && a.ulValueLen == sizeof(*out), EMZA_ENOTFOUND,
                    "the object has no readable attribute 0x%lx", type);
    return EMZA_OK;
}

/* A CK_BBOOL attribute; 0 when the object does not say. */
static int read_bool(p11_key *k, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type)
{
    CK_BBOOL b = CK_FALSE;
    CK_ATTRIBUTE a = {type, &b, sizeof(b)};
    CK_RV rv = k->fn->C_GetAttributeValue(k->session, obj, &a, 1);
    return rv == CKR_OK && a.ulValueLen == sizeof(b) && b == CK_TRUE;
}

/* `bytes` as hex into `out` (for messages), cut to fit. */
static void hex_text(char *out, size_t size, const uint8_t *bytes, size_t len)
{
    size_t i = 0;
    out[0] = '\0';
    for (; i < len && 2 * i + 2 < size; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* A token label (32 bytes, blank-padded) as a NUL-terminated string. */
static void token_label_text(char out[33], const unsigned char label[32])
{
    memcpy(out, label, 32);
    out[32] = '\0';
    for (int i = 31; i >= 0 && (out[i] == ' ' || out[i] == '\0'); i--)
        out[i] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Finding the token                                                         */
/* ------------------------------------------------------------------------ */

static int open_token(p11_key *k, const emza_pkcs11_options *o)
{
    CK_SLOT_ID slots[EMZA_PKCS11_SLOTS_MAX];
    CK_ULONG n = EMZA_PKCS11_SLOTS_MAX;
    CK_RV rv = k->fn->C_GetSlotList(CK_TRUE, slots, &n);
    EMZA_ENSURE_MSG(rv != CKR_BUFFER_TOO_SMALL, EMZA_ELIMIT,
                    "the PKCS#11 module %s has more than %d tokens", o->module_path,
                    EMZA_PKCS11_SLOTS_MAX);
    if (rv != CKR_OK)
        return CKR_FAIL(rv, EMZA_ECRYPTO, "cannot list the tokens of %s", o->module_path);
    EMZA_ENSURE_MSG(n <= EMZA_PKCS11_SLOTS_MAX, EMZA_ELIMIT,
                    "the PKCS#11 module %s has more than %d tokens", o->module_path,
                    EMZA_PKCS11_SLOTS_MAX);
    char seen[EMZA_ERROR_MESSAGE_MAX / 2] = "";
    size_t seen_len = 0;
    CK_ULONG matches = 0;
    CK_SLOT_ID slot = 0;
    CK_TOKEN_INFO chosen;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO info;
        if (k->fn->C_GetTokenInfo(slots[i], &info) != CKR_OK ||
            !(info.flags & CKF_TOKEN_INITIALIZED))
            continue; /* removed meanwhile, unreadable, or blank: it holds no key */
        char label[33];
        token_label_text(label, info.label);
        if (seen_len + strlen(label) + 5 < sizeof(seen)) {
            int w = snprintf(seen + seen_len, sizeof(seen) - seen_len, "%s'%s'",
                             seen_len ? ", " : "", label);
            seen_len += w > 0 ? (size_t)w : 0;
        }
        if (o->has_slot_id && slots[i] != o->slot_id)
            continue;
        if (o->token_label != NULL && strcmp(label, o->token_label) != 0)
            continue;
        matches++;
        slot = slots[i];
        chosen = info;
    }
    if (matches == 0) {
        if (o->has_slot_id && o->token_label != NULL)
            EMZA_FAIL(EMZA_ENOTFOUND, "no token labelled '%s' in slot %lu of %s (tokens: %s)",
                      o->token_label, o->slot_id, o->module_path, n ? seen : "none");
        if (o->has_slot_id)
            EMZA_FAIL(EMZA_ENOTFOUND, "no token in slot %lu of %s", o->slot_id, o->module_path);
        if (o->token_label != NULL)
            EMZA_FAIL(EMZA_ENOTFOUND, "no token labelled '%s' in %s (tokens: %s)", o->token_label,
                      o->module_path, n ? seen : "none");
        EMZA_FAIL(EMZA_ENOTFOUND, "no token is present in %s", o->module_path);
    }
    EMZA_ENSURE_MSG(matches == 1, EMZA_EINVAL,
                    "%lu tokens match in %s (%s): choose one by label or slot", matches,
                    o->module_path, seen);
    token_label_text(k->token_label, chosen.label);
    k->protected_path = (chosen.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
    rv = k->fn->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &k->session);
    if (rv != CKR_OK)
        return CKR_FAIL(rv, EMZA_ECRYPTO, "cannot open a session on the token '%s'",
                        k->token_label);
    k->has_session = 1;
    if (!(chosen.flags & CKF_LOGIN_REQUIRED))
        return EMZA_OK;
    CK_SESSION_INFO si;
    if (k->fn->C_GetSessionInfo(k->session, &si) == CKR_OK &&
        (si.state == CKS_RO_USER_FUNCTIONS || si.state == CKS_RW_USER_FUNCTIONS))
        return EMZA_OK; /* this process is logged in to the token already */
    return p11_login(k, CKU_USER);
}

/* ------------------------------------------------------------------------ */
/* The key and its certificate                                               */
/* ------------------------------------------------------------------------ */

/* Describes the key asked for, for messages: "labelled 'x' with id 0a1b". */
static void key_wanted(char *buf, size_t size, const emza_pkcs11_options *o)
{
    if (o->key_label != NULL && o->key_id_hex != NULL)
        snprintf(buf, size, "labelled '%s' with id %s", o->key_label, o->key_id_hex);
    else if (o->key_label != NULL)
        snprintf(buf, size, "labelled '%s'", o->key_label);
    else if (o->key_id_hex != NULL)
        snprintf(buf, size, "with id %s", o->key_id_hex);
    else
        snprintf(buf, size, "(any)");
}

static int find_key(p11_key *k, const emza_pkcs11_options *o, emza_buf *id)
{
    uint8_t want_id[EMZA_PKCS11_ID_MAX];
    size_t want_id_len = 0;
    if (o->key_id_hex != NULL) {
        int rc = emza__hex_decode(want_id, sizeof(want_id), o->key_id_hex, &want_id_len);
        if (rc < 0)
            return emza__error_prefix("the key id '%s'", o->key_id_hex);
        EMZA_ENSURE_MSG(want_id_len > 0, EMZA_EINVAL, "the key id is empty");
    }
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
    CK_ULONG n = 1;
    if (o->key_label != NULL) {
        tmpl[n].type = CKA_LABEL;
        tmpl[n].pValue = (void *)(uintptr_t)o->key_label;
        tmpl[n++].ulValueLen = strlen(o->key_label);
    }
    if (o->key_id_hex != NULL) {
        tmpl[n].type = CKA_ID;
        tmpl[n].pValue = want_id;
        tmpl[n++].ulValueLen = want_id_len;
    }
    CK_OBJECT_HANDLE found[EMZA_PKCS11_OBJECTS_MAX];
    CK_ULONG count = 0;
    EMZA_GUARD(find_objects(k, tmpl, n, found, &count, "private keys"));
    char wanted[EMZA_PKCS11_LABEL_MAX + 2 * EMZA_PKCS11_ID_MAX + 40];
    key_wanted(wanted, sizeof(wanted), o);
    EMZA_ENSURE_MSG(count > 0, EMZA_ENOTFOUND, "no private key %s on the token '%s'", wanted,
                    k->token_label);
    EMZA_ENSURE_MSG(count == 1, EMZA_EINVAL,
                    "%lu private keys %s on the token '%s': choose one by label and id", count,
                    wanted, k->token_label);
    k->key = found[0];
    EMZA_GUARD(read_ulong(k, k->key, CKA_KEY_TYPE, &k->key_type));
    EMZA_ENSURE_MSG(k->key_type == CKK_RSA || k->key_type == CKK_EC, EMZA_EUNSUPPORTED,
                    "the private key %s on the token '%s' is neither RSA nor EC", wanted,
                    k->token_label);
    k->always_authenticate = read_bool(k, k->key, CKA_ALWAYS_AUTHENTICATE);
    int rc = read_attribute(k, k->key, CKA_ID, EMZA_PKCS11_ID_MAX, id);
    if (rc == EMZA_ENOTFOUND) {
        emza__buf_init(id, EMZA_PKCS11_ID_MAX); /* no CKA_ID: the certificate cannot be found */
        rc = EMZA_OK;
    }
    return rc;
}

/* 1 when the span holds a BIGNUM equal to `bn`. */
static int same_bignum(const emza_buf *bytes, const BIGNUM *bn)
{
    BIGNUM *b = BN_bin2bn(bytes->data, (int)bytes->len, NULL);
    int same = b != NULL && BN_cmp(b, bn) == 0;
    BN_free(b);
    return same;
}

/* The public key object with CKA_ID `id`, or 0 handles when none (or several). */
static CK_OBJECT_HANDLE public_key_object(p11_key *k, const emza_buf *id)
{
    CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, id->data, id->len}};
    CK_OBJECT_HANDLE found[EMZA_PKCS11_OBJECTS_MAX];
    CK_ULONG count = 0;
    if (id->len == 0 || find_objects(k, tmpl, EMZA_ARRAY_LEN(tmpl), found, &count, "public keys") < 0)
        return CK_INVALID_HANDLE;
    return count == 1 ? found[0] : CK_INVALID_HANDLE;
}

/* 1 when the RSA key on the token has the certificate's modulus and exponent. */
static int rsa_matches(p11_key *k, const emza_buf *id, EVP_PKEY *pub)
{
    BIGNUM *n = NULL, *e = NULL;
    emza_buf mod, exp;
    emza__buf_init(&mod, EMZA_SIGNATURE_MAX);
    emza__buf_init(&exp, EMZA_SIGNATURE_MAX);
    int match = -1; /* unknown */
    if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA ||
        EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
        match = 0;
        goto cleanup;
    }
    /* The private key object usually shows its modulus; else the public key object. */
    CK_OBJECT_HANDLE objs[2] = {k->key, public_key_object(k, id)};
    for (size_t i = 0; i < 2 && match < 0; i++) {
        if (objs[i] == CK_INVALID_HANDLE)
            continue;
        emza__buf_free(&mod);
        emza__buf_free(&exp);
        if (read_attribute(k, objs[i], CKA_MODULUS, EMZA_SIGNATURE_MAX, &mod) == EMZA_OK &&
            read_attribute(k, objs[i], CKA_PUBLIC_EXPONENT, EMZA_SIGNATURE_MAX, &exp) == EMZA_OK)
            match = same_bignum(&mod, n) && same_bignum(&exp, e);
    }
cleanup:
    emza__buf_free(&mod);
    emza__buf_free(&exp);
    BN_free(n);
    BN_free(e);
    emza__ossl_clear();
    emza_error_clear();
    return match;
}

/* 1 when `point` (CKA_EC_POINT: a DER OCTET STRING, or the bare point) is `want`. */
static int same_ec_point(const emza_buf *point, const uint8_t *want, size_t want_len)
{
    if (point->len == want_len && memcmp(point->data, want, want_len) == 0)
        return 1;
    emza_reader r;
    emza_span inner;
    emza__reader_init(&r, point->data, point->len);
    return emza__der_expect(&r, EMZA_DER_OCTET_STRING, &inner) == EMZA_OK && r.left == 0 &&
           inner.len == want_len && memcmp(inner.data, want, want_len) == 0;
}

/* 1 when the EC key on the token is on the certificate's curve (and has its point, when shown). */
static int ec_matches(p11_key *k, const emza_buf *id, EVP_PKEY *pub)
{
    int match = 0;
    emza_buf params, point;
    emza__buf_init(&params, 0);
    emza__buf_init(&point, 0);
    uint8_t want_point[1 + 2 * 66];
    size_t want_point_len = 0;
    char group[64];
    unsigned char *der = NULL;
    if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC ||
        EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       NULL) != 1 ||
        EVP_PKEY_get_octet_string_param(pub, OSSL_PKEY_PARAM_PUB_KEY, want_point,
                                        sizeof(want_point), &want_point_len) != 1)
        goto cleanup;
    ASN1_OBJECT *oid = OBJ_nid2obj(OBJ_sn2nid(group));
    int der_len = oid ? i2d_ASN1_OBJECT(oid, &der) : -1;
    if (der_len <= 0 || read_attribute(k, k->key, CKA_EC_PARAMS, 1024, &params) != EMZA_OK ||
        params.len != (size_t)der_len || memcmp(params.data, der, params.len) != 0)
        goto cleanup;
    /* A private EC key object has no point; the public key object, when present, has. */
    CK_OBJECT_HANDLE pubobj = public_key_object(k, id);
    match = pubobj == CK_INVALID_HANDLE ||
            (read_attribute(k, pubobj, CKA_EC_POINT, 1024, &point) == EMZA_OK &&
             same_ec_point(&point, want_point, want_point_len));
cleanup:
    OPENSSL_free(der);
    emza__buf_free(&params);
    emza__buf_free(&point);
    emza__ossl_clear();
    emza_error_clear();
    return match;
}

/* 1 when `cert`'s public key is the key on the token (-1 for RSA: cannot tell). */
static int key_matches(p11_key *k, const emza_buf *id, const emza_cert *cert)
{
    EVP_PKEY *pub = X509_get_pubkey(emza__cert_x509(cert));
    if (pub == NULL) {
        emza__ossl_clear();
        return 0;
    }
    int match = k->key_type == CKK_RSA ? rsa_matches(k, id, pub) : ec_matches(k, id, pub);
    EVP_PKEY_free(pub);
    return match;
}

/* The X.509 certificate `obj` on the token, parsed; EMZA_ELIMIT past EMZA_PKCS11_CERT_MAX. */
static int read_cert(p11_key *k, CK_OBJECT_HANDLE obj, emza_cert **out)
{
    *out = NULL;
    emza_buf der;
    EMZA_GUARD(read_attribute(k, obj, CKA_VALUE, EMZA_PKCS11_CERT_MAX, &der));
    int rc = emza_cert_parse(out, der.data, der.len);
    emza__buf_free(&der);
    return rc;
}

/* The certificate of the key: CKO_CERTIFICATE, X.509, the same CKA_ID and public key. */
static int find_cert(p11_key *k, const emza_pkcs11_options *o, const emza_buf *id,
                     emza_cert **out)
{
    *out = NULL;
    char wanted[EMZA_PKCS11_LABEL_MAX + 2 * EMZA_PKCS11_ID_MAX + 40];
    key_wanted(wanted, sizeof(wanted), o);
    char id_hex[2 * EMZA_PKCS11_ID_MAX + 1];
    hex_text(id_hex, sizeof(id_hex), id->data, id->len);
    EMZA_ENSURE_MSG(id->len > 0, EMZA_ENOTFOUND,
                    "the private key %s on the token '%s' has no CKA_ID, so no certificate can "
                    "be found for it",
                    wanted, k->token_label);
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE type = CKC_X_509;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)},
                           {CKA_CERTIFICATE_TYPE, &type, sizeof(type)},
                           {CKA_ID, id->data, id->len}};
    CK_OBJECT_HANDLE found[EMZA_PKCS11_OBJECTS_MAX];
    CK_ULONG count = 0;
    EMZA_GUARD(find_objects(k, tmpl, EMZA_ARRAY_LEN(tmpl), found, &count, "certificates"));
    EMZA_ENSURE_MSG(count > 0, EMZA_ENOTFOUND,
                    "no certificate with id %s (of the private key %s) on the token '%s'", id_hex,
                    wanted, k->token_label);
    int last = EMZA_OK;
    for (CK_ULONG i = 0; i < count; i++) {
        emza_cert *cert = NULL;
        last = read_cert(k, found[i], &cert);
        if (last < 0)
            continue;
        int match = key_matches(k, id, cert);
        if (match != 0) {
            /* -1: the token shows no public part; every signature is checked against the certificate anyway. */
            *out = cert;
            return EMZA_OK;
        }
        emza_cert_free(cert);
        last = EMZA_EFORMAT;
    }
    if (last == EMZA_EFORMAT)
        EMZA_FAIL(EMZA_EFORMAT,
                  "the certificate with id %s on the token '%s' does not match its private key",
                  id_hex, k->token_label);
    return emza__error_prefix("the certificate with id %s on the token '%s'", id_hex,
                              k->token_label);
}

/* The CA certificates on the token (other than `cert`), for the chain. Unreadable ones are skipped. */
static int token_chain(p11_key *k, const emza_cert *cert, emza_cert_list *chain)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE type = CKC_X_509;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)},
                           {CKA_CERTIFICATE_TYPE, &type, sizeof(type)}};
    CK_OBJECT_HANDLE found[EMZA_PKCS11_OBJECTS_MAX];
    CK_ULONG count = 0;
    EMZA_GUARD(find_objects(k, tmpl, EMZA_ARRAY_LEN(tmpl), found, &count, "certificates"));
    for (CK_ULONG i = 0; i < count; i++) {
        emza_cert *c = NULL;
        if (read_cert(k, found[i], &c) < 0)
            continue;
        int rc = EMZA_OK;
        if (emza_cert_is_ca(c) && strcmp(emza_cert_sha256_hex(c), emza_cert_sha256_hex(cert)) != 0)
            rc = emza_cert_list_add(chain, c);
        emza_cert_free(c);
        EMZA_GUARD(rc);
    }
    emza_error_clear();
    return EMZA_OK;
}

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

/* The digest's PKCS#11 mechanism and MGF1 for PSS; 0 when PKCS#11 has none. */
static int hash_mechanism(const EVP_MD *md, CK_MECHANISM_TYPE *hash, CK_RSA_PKCS_MGF_TYPE *mgf)
{
    switch (EVP_MD_get_type(md)) {
    case NID_sha256:
        *hash = CKM_SHA256;
        *mgf = CKG_MGF1_SHA256;
        return 1;
    case NID_sha384:
        *hash = CKM_SHA384;
        *mgf = CKG_MGF1_SHA384;
        return 1;
    case NID_sha512:
        *hash = CKM_SHA512;
        *mgf = CKG_MGF1_SHA512;
        return 1;
    default:
        return 0;
    }
}

/* DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING digest } (RFC 8017, 9.2). */
static int digest_info(const EVP_MD *md, const uint8_t *digest, size_t digest_len, emza_buf *out)
{
    const ASN1_OBJECT *oid = OBJ_nid2obj(EVP_MD_get_type(md));
    const unsigned char *oid_der = oid ? OBJ_get0_data(oid) : NULL;
    size_t oid_len = oid ? OBJ_length(oid) : 0;
    EMZA_ENSURE_MSG(oid_der != NULL && oid_len > 0, EMZA_EUNSUPPORTED,
                    "the digest has no object identifier");
    int rc = EMZA_OK;
    emza_buf alg, body;
    emza__buf_init(&alg, 64);
    emza__buf_init(&body, 128);
    EMZA_TRY(emza__der_append_tlv(&alg, EMZA_DER_OID, oid_der, oid_len));
    EMZA_TRY(emza__der_append_tlv(&alg, 0x05, NULL, 0)); /* NULL parameters */
    EMZA_TRY(emza__der_append_tlv(&body, EMZA_DER_SEQUENCE, alg.data, alg.len));
    EMZA_TRY(emza__der_append_tlv(&body, EMZA_DER_OCTET_STRING, digest, digest_len));
    EMZA_TRY(emza__der_append_tlv(out, EMZA_DER_SEQUENCE, body.data, body.len));
cleanup:
    emza__buf_free(&alg);
    emza__buf_free(&body);
    return rc;
}

static int p11_sign_digest(void *impl, const EVP_PKEY *public_key, const EVP_MD *md, int rsa_pss,
                           const uint8_t *digest, size_t digest_len, emza_buf *out)
{
    (void)public_key;
    p11_key *k = impl;
    int rc = EMZA_OK;
    emza_buf input;
    emza__buf_init(&input, 256);
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    CK_RSA_PKCS_PSS_PARAMS pss;
    CK_MECHANISM_TYPE hash = 0;
    CK_RSA_PKCS_MGF_TYPE mgf = 0;
    if (k->key_type == CKK_RSA && rsa_pss) {
        EMZA_TRY_ENSURE(hash_mechanism(md, &hash, &mgf), EMZA_EUNSUPPORTED,
                        "RSA-PSS on a token with this digest is not supported");
        pss.hashAlg = hash;
        pss.mgf = mgf;
        pss.sLen = digest_len;
        mech.mechanism = CKM_RSA_PKCS_PSS;
        mech.pParameter = &pss;
        mech.ulParameterLen = sizeof(pss);
        EMZA_TRY(emza__buf_append(&input, digest, digest_len));
    } else if (k->key_type == CKK_RSA) {
        mech.mechanism = CKM_RSA_PKCS;
        EMZA_TRY(digest_info(md, digest, digest_len, &input));
    } else {
        EMZA_TRY_ENSURE(!rsa_pss, EMZA_EINVAL, "RSA-PSS needs an RSA key");
        EMZA_TRY(emza__buf_append(&input, digest, digest_len));
    }
    CKR_TRY(k->fn->C_SignInit(k->session, &mech, k->key), EMZA_ECRYPTO,
            "the token '%s' cannot start a signature", k->token_label);
    uint8_t sig[EMZA_SIGNATURE_MAX];
    CK_ULONG sig_len = sizeof(sig);
    if (k->always_authenticate) {
        rc = p11_login(k, CKU_CONTEXT_SPECIFIC);
        if (rc < 0) {
            /* A failed C_Sign ends the operation, so the session can sign again. */
            k->fn->C_Sign(k->session, input.data, input.len, sig, &sig_len);
            goto cleanup;
        }
    }
    CKR_TRY(k->fn->C_Sign(k->session, input.data, input.len, sig, &sig_len), EMZA_ECRYPTO,
            "the token '%s' did not sign", k->token_label);
    EMZA_TRY_ENSURE(sig_len > 0 && sig_len <= sizeof(sig), EMZA_ELIMIT,
                    "the token '%s' returned a signature of %lu bytes", k->token_label, sig_len);
    rc = emza__buf_append(out, sig, sig_len);
cleanup:
    emza__buf_free(&input);
    return rc;
}

static const emza__key_source pkcs11_source = {"PKCS#11 token", p11_sign_digest, p11_release};

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */
/* ------------------------------------------------------------------------ */

int emza_pkcs11_options_init(emza_pkcs11_options *opts, unsigned int version)
{
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(version == EMZA_PKCS11_OPTIONS_VERSION, EMZA_EVERSION,
                    "unknown emza_pkcs11_options version %u", version);
    emza_pkcs11_options defaults = EMZA_PKCS11_OPTIONS_INIT;
    *opts = defaults;
    return EMZA_OK;
}

int emza_signer_open_pkcs11(emza_signer **out, const emza_pkcs11_options *opts)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(opts != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(opts->version == EMZA_PKCS11_OPTIONS_VERSION, EMZA_EVERSION,
                    "unknown emza_pkcs11_options version %u", opts->version);
    EMZA_ENSURE_MSG(opts->module_path != NULL && opts->module_path[0] != '\0', EMZA_EINVAL,
                    "no PKCS#11 module given");
    EMZA_ENSURE_MSG(opts->token_label == NULL || strlen(opts->token_label) <= 32, EMZA_ELIMIT,
                    "a token label has at most 32 bytes");
    EMZA_ENSURE_MSG(opts->key_label == NULL || strlen(opts->key_label) <= EMZA_PKCS11_LABEL_MAX,
                    EMZA_ELIMIT, "a key label has at most %d bytes", EMZA_PKCS11_LABEL_MAX);
    EMZA_ENSURE_MSG(opts->key_id_hex == NULL ||
                        strlen(opts->key_id_hex) <= 2 * (size_t)EMZA_PKCS11_ID_MAX,
                    EMZA_ELIMIT, "a key id has at most %d bytes", EMZA_PKCS11_ID_MAX);
    EMZA_GUARD(emza_init());
    int rc = EMZA_OK;
    emza_cert *cert = NULL;
    emza_cert_list *chain = NULL;
    emza_buf id;
    emza__buf_init(&id, EMZA_PKCS11_ID_MAX);
    p11_key *k = calloc(1, sizeof(*k));
    EMZA_TRY_ENSURE(k != NULL, EMZA_ENOMEM, "out of memory");
    k->pin = opts->pin;
    k->pin_ctx = opts->pin_ctx;
    EMZA_TRY(module_acquire(&k->module, opts->module_path));
    k->fn = k->module->fn;
    EMZA_TRY(open_token(k, opts));
    EMZA_TRY(find_key(k, opts, &id));
    EMZA_TRY(find_cert(k, opts, &id, &cert));
    EMZA_TRY(emza_cert_list_new(&chain));
    if (opts->chain_path != NULL)
        EMZA_TRY(emza_cert_list_add_path(chain, opts->chain_path));
    else
        EMZA_TRY(token_chain(k, cert, chain));
    rc = emza__signer_new(out, &pkcs11_source, k, cert, chain);
    k = NULL; /* the signer's now, or released */
cleanup:
    p11_release(k);
    emza__buf_free(&id);
    emza_cert_free(cert);
    emza_cert_list_free(chain);
    return rc;
}
