/*
 * JNI glue of the Java bindings (package ir.emza, class Native): one thin
 * native per C call or getter family, nothing else. Strings cross as UTF-8
 * byte arrays (Java's modified UTF-8 differs for NUL and characters outside
 * the BMP); C objects cross as `long` handles owned by the Java objects
 * (Certificate, TrustStore, Signer, options) that free them. A negative
 * return code throws ir.emza.EmzaException(code, name, message) with the
 * calling thread's libemza error record, read right after the failing call.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#define H(type, handle) ((type *)(intptr_t)(handle))
#define J(ptr) ((jlong)(intptr_t)(ptr))
#define FN(name) Java_ir_emza_Native_##name

/*
 * Throws ir.emza.EmzaException for `rc` < 0 — or ir.emza.AuthException with
 * the reason's name when `reason` is not NULL — and returns 1; returns 0
 * otherwise.
 */
static int throw_error(JNIEnv *env, int rc, const char *reason)
{
    if (rc >= 0)
        return 0;
    const char *message = emza_error_last_code() == rc ? emza_error_last_message() : emza_error_describe(rc);
    jclass cls = (*env)->FindClass(env, reason != NULL ? "ir/emza/AuthException" : "ir/emza/EmzaException");
    if (cls == NULL)
        return 1; /* NoClassDefFoundError pending */
    jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>",
                                         reason != NULL
                                             ? "(ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"
                                             : "(ILjava/lang/String;Ljava/lang/String;)V");
    jstring jname = (*env)->NewStringUTF(env, emza_error_name(rc)); /* ASCII */
    jstring jreason = reason != NULL ? (*env)->NewStringUTF(env, reason) : NULL; /* ASCII */
    jbyteArray raw = (*env)->NewByteArray(env, (jsize)strlen(message));
    if (ctor == NULL || jname == NULL || raw == NULL || (reason != NULL && jreason == NULL))
        return 1;
    (*env)->SetByteArrayRegion(env, raw, 0, (jsize)strlen(message), (const jbyte *)message);
    jclass strc = (*env)->FindClass(env, "ir/emza/Native");
    jmethodID dec = (*env)->GetStaticMethodID(env, strc, "str", "([B)Ljava/lang/String;");
    jstring jmsg = (*env)->CallStaticObjectMethod(env, strc, dec, raw);
    if ((*env)->ExceptionCheck(env))
        return 1;
    jobject ex = reason != NULL ? (*env)->NewObject(env, cls, ctor, (jint)rc, jname, jmsg, jreason)
                                : (*env)->NewObject(env, cls, ctor, (jint)rc, jname, jmsg);
    if (ex != NULL)
        (*env)->Throw(env, (jthrowable)ex);
    return 1;
}

/* Throws EmzaException for `rc` < 0 and returns 1; returns 0 otherwise. */
static int failed(JNIEnv *env, int rc)
{
    return throw_error(env, rc, NULL);
}

/* A NUL-terminated copy of a Java byte[] (NULL for null); free with free(). Sets *oom on failure. */
static char *cstr(JNIEnv *env, jbyteArray a, int *oom)
{
    if (a == NULL)
        return NULL;
    jsize n = (*env)->GetArrayLength(env, a);
    char *s = malloc((size_t)n + 1);
    if (s == NULL) {
        *oom = 1;
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "emza: out of memory");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)s);
    s[n] = '\0';
    return s;
}

/* A C string as a Java byte[] (null for NULL). */
static jbyteArray jbytes(JNIEnv *env, const char *s)
{
    if (s == NULL)
        return NULL;
    jsize n = (jsize)strlen(s);
    jbyteArray a = (*env)->NewByteArray(env, n);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, n, (const jbyte *)s);
    return a;
}

/* An array of NUL-terminated copies of a Java byte[][]; free with free_strings. */
static char **cstrs(JNIEnv *env, jobjectArray arr, jsize *count)
{
    *count = arr == NULL ? 0 : (*env)->GetArrayLength(env, arr);
    char **v = calloc((size_t)*count + 1, sizeof(*v));
    if (v == NULL) {
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "emza: out of memory");
        return NULL;
    }
    for (jsize i = 0; i < *count; i++) {
        int oom = 0;
        jbyteArray item = (jbyteArray)(*env)->GetObjectArrayElement(env, arr, i);
        v[i] = cstr(env, item, &oom);
        (*env)->DeleteLocalRef(env, item);
        if (oom) {
            for (jsize k = 0; k < i; k++)
                free(v[k]);
            free(v);
            return NULL;
        }
    }
    return v;
}

static void free_strings(char **v, jsize count)
{
    if (v == NULL)
        return;
    for (jsize i = 0; i < count; i++)
        free(v[i]);
    free(v);
}

/* --- core --- */

JNIEXPORT jbyteArray JNICALL FN(versionString)(JNIEnv *env, jclass c)
{
    (void)c;
    return jbytes(env, emza_version_string());
}

JNIEXPORT jint JNICALL FN(versionNumber)(JNIEnv *env, jclass c)
{
    (void)env, (void)c;
    return (jint)emza_version_number();
}

JNIEXPORT jbyteArray JNICALL FN(errorName)(JNIEnv *env, jclass c, jint code)
{
    (void)c;
    return jbytes(env, emza_error_name(code));
}

JNIEXPORT jbyteArray JNICALL FN(subindicationName)(JNIEnv *env, jclass c, jint sub)
{
    (void)c;
    return jbytes(env, emza_subindication_name((emza_subindication)sub));
}

/* --- identity numbers: {kind, verdict, position, expected_check} + digits in out_digits[0] --- */

JNIEXPORT jintArray JNICALL FN(idCheck)(JNIEnv *env, jclass c, jint kind, jbyteArray text, jobjectArray out_digits)
{
    (void)c;
    jsize n = (*env)->GetArrayLength(env, text);
    jbyte *raw = (*env)->GetByteArrayElements(env, text, NULL);
    if (raw == NULL)
        return NULL;
    emza_id_result r;
    int rc = emza_id_check(&r, (emza_id_kind)kind, (const char *)raw, (size_t)n);
    (*env)->ReleaseByteArrayElements(env, text, raw, JNI_ABORT);
    if (failed(env, rc))
        return NULL;
    jint v[4] = {(jint)r.kind, (jint)r.verdict, (jint)r.position, (jint)r.expected_check};
    jintArray out = (*env)->NewIntArray(env, 4);
    if (out == NULL)
        return NULL;
    (*env)->SetIntArrayRegion(env, out, 0, 4, v);
    (*env)->SetObjectArrayElement(env, out_digits, 0, jbytes(env, r.digits));
    return out;
}

JNIEXPORT jbyteArray JNICALL FN(idVerdictDescribe)(JNIEnv *env, jclass c, jint verdict)
{
    (void)c;
    return jbytes(env, emza_id_verdict_describe((emza_id_verdict)verdict));
}

/* --- certificates --- */

JNIEXPORT jlong JNICALL FN(certLoad)(JNIEnv *env, jclass c, jbyteArray path)
{
    (void)c;
    int oom = 0;
    char *p = cstr(env, path, &oom);
    if (oom)
        return 0;
    emza_cert *cert = NULL;
    int rc = emza_cert_load(&cert, p);
    free(p);
    return failed(env, rc) ? 0 : J(cert);
}

JNIEXPORT jlong JNICALL FN(certParse)(JNIEnv *env, jclass c, jbyteArray data)
{
    (void)c;
    jsize n = (*env)->GetArrayLength(env, data);
    jbyte *raw = (*env)->GetByteArrayElements(env, data, NULL);
    if (raw == NULL)
        return 0;
    emza_cert *cert = NULL;
    int rc = emza_cert_parse(&cert, raw, (size_t)n);
    (*env)->ReleaseByteArrayElements(env, data, raw, JNI_ABORT);
    return failed(env, rc) ? 0 : J(cert);
}

JNIEXPORT jlong JNICALL FN(certDup)(JNIEnv *env, jclass c, jlong cert)
{
    (void)env, (void)c;
    return J(emza_cert_dup(H(const emza_cert, cert)));
}

JNIEXPORT void JNICALL FN(certFree)(JNIEnv *env, jclass c, jlong cert)
{
    (void)env, (void)c;
    emza_cert_free(H(emza_cert, cert));
}

/* The string getters of cert.h, by number (Certificate.java lists them in this order). */
JNIEXPORT jbyteArray JNICALL FN(certString)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)c;
    const emza_cert *cert = H(const emza_cert, handle);
    const char *(*const getters[])(const emza_cert *) = {
        emza_cert_subject, emza_cert_issuer, emza_cert_common_name, emza_cert_given_name,
        emza_cert_surname, emza_cert_organization, emza_cert_country, emza_cert_subject_serial_number,
        emza_cert_organization_identifier, emza_cert_national_code, emza_cert_legal_id,
        emza_cert_serial_hex, emza_cert_sha256_hex, emza_cert_key_algorithm, emza_cert_signature_algorithm,
    };
    if (which < 0 || (size_t)which >= sizeof(getters) / sizeof(getters[0]))
        return NULL;
    return jbytes(env, getters[which](cert));
}

/* 0 not_before, 1 not_after, 2 key_bits, 3 is_ca, 4 key_usage, 5 ext_key_usage. */
JNIEXPORT jlong JNICALL FN(certLong)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)env, (void)c;
    const emza_cert *cert = H(const emza_cert, handle);
    switch (which) {
    case 0: return emza_cert_not_before(cert);
    case 1: return emza_cert_not_after(cert);
    case 2: return emza_cert_key_bits(cert);
    case 3: return emza_cert_is_ca(cert);
    case 4: return emza_cert_key_usage(cert);
    case 5: return emza_cert_ext_key_usage(cert);
    default: return 0;
    }
}

JNIEXPORT jbyteArray JNICALL FN(certDer)(JNIEnv *env, jclass c, jlong handle)
{
    (void)c;
    size_t n = 0;
    const uint8_t *der = emza_cert_der(H(const emza_cert, handle), &n);
    jbyteArray a = (*env)->NewByteArray(env, (jsize)n);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)n, (const jbyte *)der);
    return a;
}

JNIEXPORT jlong JNICALL FN(certListFromPaths)(JNIEnv *env, jclass c, jobjectArray paths)
{
    (void)c;
    jsize count = 0;
    char **v = cstrs(env, paths, &count);
    if (v == NULL)
        return 0;
    emza_cert_list *list = NULL;
    int rc = emza_cert_list_new(&list);
    for (jsize i = 0; rc == EMZA_OK && i < count; i++)
        rc = emza_cert_list_add_path(list, v[i]);
    free_strings(v, count);
    if (rc < 0) {
        emza_cert_list_free(list);
        failed(env, rc);
        return 0;
    }
    return J(list);
}

JNIEXPORT void JNICALL FN(certListFree)(JNIEnv *env, jclass c, jlong list)
{
    (void)env, (void)c;
    emza_cert_list_free(H(emza_cert_list, list));
}

/* --- trust --- */

JNIEXPORT jlong JNICALL FN(trustLoad)(JNIEnv *env, jclass c, jobjectArray paths)
{
    (void)c;
    jsize count = 0;
    char **v = cstrs(env, paths, &count);
    if (v == NULL)
        return 0;
    emza_trust *trust = NULL;
    int rc = emza_trust_load(&trust, (const char *const *)v, (size_t)count);
    free_strings(v, count);
    return failed(env, rc) ? 0 : J(trust);
}

JNIEXPORT void JNICALL FN(trustFree)(JNIEnv *env, jclass c, jlong trust)
{
    (void)env, (void)c;
    emza_trust_free(H(emza_trust, trust));
}

JNIEXPORT jint JNICALL FN(trustCount)(JNIEnv *env, jclass c, jlong trust)
{
    (void)env, (void)c;
    return (jint)emza_trust_count(H(const emza_trust, trust));
}

/* Validates a chain; returns the emza_chain_result handle (free with chainResultFree). */
JNIEXPORT jlong JNICALL FN(trustVerify)(JNIEnv *env, jclass c, jlong trust, jlong cert, jint purpose,
                                        jboolean has_time, jlong at, jlong untrusted, jboolean offline)
{
    (void)c;
    emza_chain_options *o = NULL;
    int rc = emza_chain_options_new(&o);
    if (rc == EMZA_OK)
        rc = emza_chain_options_set_purpose(o, (emza_purpose)purpose);
    if (rc == EMZA_OK && has_time)
        rc = emza_chain_options_set_validation_time(o, at);
    if (rc == EMZA_OK)
        rc = emza_chain_options_set_untrusted(o, H(const emza_cert_list, untrusted));
    if (rc == EMZA_OK)
        rc = emza_chain_options_set_offline(o, offline ? 1 : 0);
    emza_chain_result *r = NULL;
    if (rc == EMZA_OK)
        rc = emza_trust_verify(&r, H(const emza_trust, trust), H(const emza_cert, cert), o);
    emza_chain_options_free(o);
    return failed(env, rc) ? 0 : J(r);
}

JNIEXPORT void JNICALL FN(chainResultFree)(JNIEnv *env, jclass c, jlong r)
{
    (void)env, (void)c;
    emza_chain_result_free(H(emza_chain_result, r));
}

/* 0 indication, 1 sub-indication, 2 validation time, 3 chain length, 4 errors, 5 warnings. */
JNIEXPORT jlong JNICALL FN(chainLong)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)env, (void)c;
    const emza_chain_result *r = H(const emza_chain_result, handle);
    switch (which) {
    case 0: return emza_chain_result_indication(r);
    case 1: return emza_chain_result_subindication(r);
    case 2: return emza_chain_result_validation_time(r);
    case 3: return (jlong)emza_chain_result_chain_length(r);
    case 4: return (jlong)emza_chain_result_error_count(r);
    case 5: return (jlong)emza_chain_result_warning_count(r);
    default: return 0;
    }
}

/* 0 message, 1 error code, 2 error message, 3 warning code, 4 warning message, 5 chain cert sha256. */
JNIEXPORT jbyteArray JNICALL FN(chainString)(JNIEnv *env, jclass c, jlong handle, jint which, jint i)
{
    (void)c;
    const emza_chain_result *r = H(const emza_chain_result, handle);
    switch (which) {
    case 0: return jbytes(env, emza_chain_result_message(r));
    case 1: return jbytes(env, emza_chain_result_error_code(r, (size_t)i));
    case 2: return jbytes(env, emza_chain_result_error_message(r, (size_t)i));
    case 3: return jbytes(env, emza_chain_result_warning_code(r, (size_t)i));
    case 4: return jbytes(env, emza_chain_result_warning_message(r, (size_t)i));
    case 5: {
        const emza_cert *cert = emza_chain_result_chain_cert(r, (size_t)i);
        return cert == NULL ? NULL : jbytes(env, emza_cert_sha256_hex(cert));
    }
    default: return NULL;
    }
}

/* --- signers and signing --- */

JNIEXPORT jlong JNICALL FN(signerOpenPkcs12)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray password)
{
    (void)c;
    int oom = 0;
    char *p = cstr(env, path, &oom);
    char *pw = oom ? NULL : cstr(env, password, &oom);
    emza_signer *s = NULL;
    int rc = oom ? EMZA_ENOMEM : emza_signer_open_pkcs12(&s, p, pw != NULL ? pw : "");
    if (pw != NULL)
        emza_wipe(pw, strlen(pw));
    free(pw);
    free(p);
    if (oom)
        return 0;
    return failed(env, rc) ? 0 : J(s);
}

JNIEXPORT jlong JNICALL FN(signerOpenPem)(JNIEnv *env, jclass c, jbyteArray key, jbyteArray password,
                                          jbyteArray cert, jbyteArray chain)
{
    (void)c;
    int oom = 0;
    char *k = cstr(env, key, &oom);
    char *pw = oom ? NULL : cstr(env, password, &oom);
    char *ce = oom ? NULL : cstr(env, cert, &oom);
    char *ch = oom ? NULL : cstr(env, chain, &oom);
    emza_signer *s = NULL;
    int rc = oom ? EMZA_ENOMEM : emza_signer_open_pem(&s, k, pw, ce, ch);
    if (pw != NULL)
        emza_wipe(pw, strlen(pw));
    free(pw);
    free(k);
    free(ce);
    free(ch);
    if (oom)
        return 0;
    return failed(env, rc) ? 0 : J(s);
}

JNIEXPORT jlong JNICALL FN(signerCert)(JNIEnv *env, jclass c, jlong signer)
{
    (void)env, (void)c;
    return J(emza_cert_dup(emza_signer_cert(H(const emza_signer, signer))));
}

JNIEXPORT void JNICALL FN(signerFree)(JNIEnv *env, jclass c, jlong signer)
{
    (void)env, (void)c;
    emza_signer_free(H(emza_signer, signer));
}

/*
 * Builds sign options: `s` holds digest, existing, mime type, signer role,
 * TSA URL, production city, production country, policy OID, policy SHA-256
 * (each may be NULL; borrowed by the options); `signing_time` is used when
 * has_time. On error `*out` is NULL.
 */
static int sign_options(emza_sign_options **out, jint format, jint level, jint mode, jboolean rsa_pss,
                        jboolean has_time, jlong signing_time, jint timeout, char **s, jsize ns)
{
    *out = NULL;
    if (ns != 9)
        return EMZA_EINTERNAL;
    emza_sign_options *o = NULL;
    int rc = emza_sign_options_new(&o, (emza_format)format);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_level(o, (emza_level)level);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_digest(o, s[0]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_mode(o, (emza_sign_mode)mode, s[1]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_mime_type(o, s[2]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_signer_role(o, s[3]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_tsa_url(o, s[4]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_production_place(o, s[5], s[6]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_policy(o, s[7], s[8]);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_rsa_pss(o, rsa_pss ? 1 : 0);
    if (rc == EMZA_OK && has_time)
        rc = emza_sign_options_set_signing_time(o, signing_time);
    if (rc == EMZA_OK)
        rc = emza_sign_options_set_timeout(o, timeout);
    if (rc < 0) {
        emza_sign_options_free(o);
        return rc;
    }
    *out = o;
    return EMZA_OK;
}

/* Signs `inputs` into `output`; `strings` as sign_options() takes them. */
JNIEXPORT void JNICALL FN(sign)(JNIEnv *env, jclass c, jlong signer, jint format, jint level, jint mode,
                                jboolean rsa_pss, jboolean has_time, jlong signing_time, jint timeout,
                                jobjectArray strings, jobjectArray inputs, jbyteArray output)
{
    (void)c;
    jsize ns = 0, ni = 0;
    int oom = 0;
    char **s = cstrs(env, strings, &ns);
    char **in = s == NULL ? NULL : cstrs(env, inputs, &ni);
    char *out = in == NULL ? NULL : cstr(env, output, &oom);
    int rc = EMZA_ENOMEM;
    emza_sign_options *o = NULL;
    if (s == NULL || in == NULL || oom)
        goto cleanup;
    rc = sign_options(&o, format, level, mode, rsa_pss, has_time, signing_time, timeout, s, ns);
    if (rc == EMZA_OK)
        rc = emza_sign(H(const emza_signer, signer), o, (const char *const *)in, (size_t)ni, out);
cleanup:
    emza_sign_options_free(o);
    free(out);
    free_strings(in, ni);
    free_strings(s, ns);
    if (!(*env)->ExceptionCheck(env))
        failed(env, rc);
}

JNIEXPORT jint JNICALL FN(formatFromName)(JNIEnv *env, jclass c, jbyteArray name)
{
    (void)c;
    int oom = 0;
    char *n = cstr(env, name, &oom);
    jint f = oom ? 0 : (jint)emza_format_from_name(n);
    free(n);
    return f;
}

/* --- verification and the report --- */

JNIEXPORT jlong JNICALL FN(verifyFile)(JNIEnv *env, jclass c, jbyteArray path, jlong trust, jlong untrusted,
                                       jboolean has_time, jlong at, jboolean offline, jint timeout,
                                       jobjectArray data, jlong policy)
{
    (void)c;
    jsize nd = 0;
    int oom = 0;
    char **d = cstrs(env, data, &nd);
    char *p = d == NULL ? NULL : cstr(env, path, &oom);
    emza_verify_options *o = NULL;
    emza_report *report = NULL;
    int rc = EMZA_ENOMEM;
    if (d == NULL || oom)
        goto cleanup;
    rc = emza_verify_options_new(&o);
    if (rc == EMZA_OK)
        rc = emza_verify_options_set_trust(o, H(const emza_trust, trust));
    if (rc == EMZA_OK)
        rc = emza_verify_options_set_untrusted(o, H(const emza_cert_list, untrusted));
    if (rc == EMZA_OK && has_time)
        rc = emza_verify_options_set_validation_time(o, at);
    if (rc == EMZA_OK)
        rc = emza_verify_options_set_offline(o, offline ? 1 : 0);
    if (rc == EMZA_OK)
        rc = emza_verify_options_set_timeout(o, timeout);
    if (rc == EMZA_OK && nd > 0)
        rc = emza_verify_options_set_data(o, (const char *const *)d, (size_t)nd);
    if (rc == EMZA_OK)
        rc = emza_verify_options_set_policy(o, H(const emza_policy, policy));
    if (rc == EMZA_OK)
        rc = emza_verify_file(&report, p, o);
cleanup:
    emza_verify_options_free(o);
    free(p);
    free_strings(d, nd);
    if ((*env)->ExceptionCheck(env))
        return 0;
    return failed(env, rc) ? 0 : J(report);
}

JNIEXPORT void JNICALL FN(reportFree)(JNIEnv *env, jclass c, jlong report)
{
    (void)env, (void)c;
    emza_report_free(H(emza_report, report));
}

/* 0 path, 1 format, 2 sha256, 3 policy, 4 JSON, 5 text. */
JNIEXPORT jbyteArray JNICALL FN(reportString)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)c;
    const emza_report *r = H(const emza_report, handle);
    switch (which) {
    case 0: return jbytes(env, emza_report_document_path(r));
    case 1: return jbytes(env, emza_report_document_format(r));
    case 2: return jbytes(env, emza_report_document_sha256(r));
    case 3: return jbytes(env, emza_report_policy(r));
    case 4:
    case 5: {
        char *s = NULL;
        int rc = which == 4 ? emza_report_to_json(&s, r) : emza_report_to_text(&s, r);
        if (failed(env, rc))
            return NULL;
        jbyteArray a = jbytes(env, s);
        emza_free(s);
        return a;
    }
    default: return NULL;
    }
}

/* 0 validation time, 1 summary, 2 signature count. */
JNIEXPORT jlong JNICALL FN(reportLong)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)env, (void)c;
    const emza_report *r = H(const emza_report, handle);
    switch (which) {
    case 0: return emza_report_validation_time(r);
    case 1: return emza_report_summarize(r);
    case 2: return (jlong)emza_report_signature_count(r);
    default: return 0;
    }
}

/* Signature `index` of a report: a handle borrowed from the report. */
JNIEXPORT jlong JNICALL FN(reportSignature)(JNIEnv *env, jclass c, jlong report, jint index)
{
    (void)env, (void)c;
    return J(emza_report_signature(H(const emza_report, report), (size_t)index));
}

/*
 * 0 indication, 1 sub-indication, 2 claimed signing time (or Long.MIN_VALUE
 * when absent), 3 best signature time, 4 signer certificate (borrowed
 * handle, 0 when unknown), 5 objects, 6 timestamps, 7 errors, 8 warnings,
 * 9 infos.
 */
JNIEXPORT jlong JNICALL FN(sigLong)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)env, (void)c;
    const emza_signature_report *s = H(const emza_signature_report, handle);
    switch (which) {
    case 0: return emza_signature_indication(s);
    case 1: return emza_signature_subindication(s);
    case 2: {
        int present = 0;
        int64_t t = emza_signature_claimed_signing_time(s, &present);
        return present ? t : INT64_MIN;
    }
    case 3: return emza_signature_best_signature_time(s);
    case 4: return J(emza_signature_signer(s));
    case 5: return (jlong)emza_signature_object_count(s);
    case 6: return (jlong)emza_signature_timestamp_count(s);
    case 7: return (jlong)emza_signature_error_count(s);
    case 8: return (jlong)emza_signature_warning_count(s);
    case 9: return (jlong)emza_signature_info_count(s);
    default: return 0;
    }
}

/*
 * 0 id, 1 level, 2 algorithm; per item `i`: 10 object uri, 11 object name,
 * 12 object digest, 13 object MIME type, 14 object whole ("1"/"0"),
 * 20 timestamp type, 21 timestamp TSA, 22 timestamp indication, 30 error code, 31 error message, 40 warning code,
 * 41 warning message, 50 info code, 51 info message.
 */
JNIEXPORT jbyteArray JNICALL FN(sigString)(JNIEnv *env, jclass c, jlong handle, jint which, jint index)
{
    (void)c;
    const emza_signature_report *s = H(const emza_signature_report, handle);
    size_t i = (size_t)index;
    switch (which) {
    case 0: return jbytes(env, emza_signature_id(s));
    case 1: return jbytes(env, emza_signature_level(s));
    case 2: return jbytes(env, emza_signature_algorithm(s));
    case 10: return jbytes(env, emza_signature_object_uri(s, i));
    case 11: return jbytes(env, emza_signature_object_name(s, i));
    case 12: return jbytes(env, emza_signature_object_digest_algorithm(s, i));
    case 13: return jbytes(env, emza_signature_object_mime_type(s, i));
    case 14: return jbytes(env, emza_signature_object_whole_document(s, i) == 1 ? "1" : "0");
    case 20: return jbytes(env, emza_signature_timestamp_type(s, i));
    case 21: return jbytes(env, emza_signature_timestamp_tsa(s, i));
    case 22: return jbytes(env, emza_signature_timestamp_indication(s, i));
    case 30: return jbytes(env, emza_signature_error_code(s, i));
    case 31: return jbytes(env, emza_signature_error_message(s, i));
    case 40: return jbytes(env, emza_signature_warning_code(s, i));
    case 41: return jbytes(env, emza_signature_warning_message(s, i));
    case 50: return jbytes(env, emza_signature_info_code(s, i));
    case 51: return jbytes(env, emza_signature_info_message(s, i));
    default: return NULL;
    }
}

/* The time of timestamp `index`. */
JNIEXPORT jlong JNICALL FN(sigTimestampTime)(JNIEnv *env, jclass c, jlong handle, jint index)
{
    (void)env, (void)c;
    return emza_signature_timestamp_time(H(const emza_signature_report, handle), (size_t)index);
}

/* --- validation policies --- */

JNIEXPORT jlong JNICALL FN(policyLoad)(JNIEnv *env, jclass c, jbyteArray path)
{
    (void)c;
    int oom = 0;
    char *p = cstr(env, path, &oom);
    if (oom)
        return 0;
    emza_policy *policy = NULL;
    int rc = emza_policy_load(&policy, p);
    free(p);
    return failed(env, rc) ? 0 : J(policy);
}

JNIEXPORT jlong JNICALL FN(policyParse)(JNIEnv *env, jclass c, jbyteArray json)
{
    (void)c;
    jsize n = (*env)->GetArrayLength(env, json);
    jbyte *raw = (*env)->GetByteArrayElements(env, json, NULL);
    if (raw == NULL)
        return 0;
    emza_policy *policy = NULL;
    int rc = emza_policy_parse(&policy, (const char *)raw, (size_t)n);
    (*env)->ReleaseByteArrayElements(env, json, raw, JNI_ABORT);
    return failed(env, rc) ? 0 : J(policy);
}

JNIEXPORT jlong JNICALL FN(policyDefault)(JNIEnv *env, jclass c)
{
    (void)c;
    emza_policy *policy = NULL;
    int rc = emza_policy_default(&policy);
    return failed(env, rc) ? 0 : J(policy);
}

JNIEXPORT jbyteArray JNICALL FN(policyName)(JNIEnv *env, jclass c, jlong policy)
{
    (void)c;
    return jbytes(env, emza_policy_name(H(const emza_policy, policy)));
}

JNIEXPORT void JNICALL FN(policyFree)(JNIEnv *env, jclass c, jlong policy)
{
    (void)env, (void)c;
    emza_policy_free(H(emza_policy, policy));
}

/*
 * --- callbacks into Java (external signers, PIN functions) ---
 *
 * A callback context holds a global reference to a Java adapter object
 * (ir.emza.Callbacks.External or .Pin) and is freed, with the reference,
 * after the signer that uses it (Signer.java frees both). The adapter
 * catches everything its user code throws and keeps it; C then asks it for
 * the EMZA_E* code to return, so no Java exception is ever pending while the
 * library runs, and the Java caller attaches the kept exception as the cause
 * of the EmzaException it throws.
 */
static JavaVM *g_vm;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved);
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    g_vm = vm;
    return JNI_VERSION_1_8;
}

typedef struct callback_ctx {
    jobject adapter; /* global reference */
} callback_ctx;

JNIEXPORT jlong JNICALL FN(callbackNew)(JNIEnv *env, jclass c, jobject adapter)
{
    (void)c;
    callback_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx != NULL)
        ctx->adapter = (*env)->NewGlobalRef(env, adapter);
    if (ctx == NULL || ctx->adapter == NULL) {
        free(ctx);
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "emza: out of memory");
        return 0;
    }
    return J(ctx);
}

JNIEXPORT void JNICALL FN(callbackFree)(JNIEnv *env, jclass c, jlong handle)
{
    (void)c;
    callback_ctx *ctx = H(callback_ctx, handle);
    if (ctx == NULL)
        return;
    (*env)->DeleteGlobalRef(env, ctx->adapter);
    free(ctx);
}

/* The calling thread's JNIEnv (the library calls back on the thread that called it, a Java thread). */
static JNIEnv *callback_env(void)
{
    JNIEnv *env = NULL;
    if (g_vm == NULL || (*g_vm)->GetEnv(g_vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return NULL;
    return env;
}

/*
 * The adapter's method `name`, or NULL. The class reference is released at
 * once: a callback may run many times within one native call (one signature
 * per signer), and local references only go when that call returns. The
 * method id stays valid while the adapter object keeps its class loaded.
 */
static jmethodID adapter_method(JNIEnv *env, jobject adapter, const char *name, const char *sig)
{
    jclass cls = (*env)->GetObjectClass(env, adapter);
    jmethodID m = cls == NULL ? NULL : (*env)->GetMethodID(env, cls, name, sig);
    if (cls != NULL)
        (*env)->DeleteLocalRef(env, cls);
    return m;
}

/* The adapter's code for its last failure (its errorCode()); clears anything pending. */
static int adapter_error(JNIEnv *env, jobject adapter)
{
    if ((*env)->ExceptionCheck(env))
        (*env)->ExceptionClear(env);
    jmethodID m = adapter_method(env, adapter, "errorCode", "()I");
    if (m == NULL) {
        (*env)->ExceptionClear(env);
        return EMZA_EINTERNAL;
    }
    jint code = (*env)->CallIntMethod(env, adapter, m);
    if ((*env)->ExceptionCheck(env) || code >= 0) {
        (*env)->ExceptionClear(env);
        return EMZA_ECANCELED;
    }
    return code;
}

/* Copies the Java byte[] `value` into `buf` (room for `size`), wipes `value`, sets *len. */
static int take_bytes(JNIEnv *env, jbyteArray value, void *buf, size_t size, size_t *len)
{
    jsize n = (*env)->GetArrayLength(env, value);
    int rc = EMZA_OK;
    if ((size_t)n > size)
        rc = EMZA_ELIMIT; /* the adapter's value is longer than the library's buffer */
    else {
        (*env)->GetByteArrayRegion(env, value, 0, n, (jbyte *)buf);
        *len = (size_t)n;
    }
    jbyte zero[64] = {0};
    for (jsize at = 0; at < n; at += (jsize)sizeof(zero)) {
        jsize part = n - at < (jsize)sizeof(zero) ? n - at : (jsize)sizeof(zero);
        (*env)->SetByteArrayRegion(env, value, at, part, zero);
    }
    return rc;
}

static int external_sign(void *opaque, const char *algorithm, const uint8_t *digest, size_t digest_len,
                         uint8_t *signature, size_t signature_size, size_t *signature_len)
{
    callback_ctx *ctx = opaque;
    JNIEnv *env = callback_env();
    if (env == NULL)
        return EMZA_EINTERNAL;
    jmethodID m = adapter_method(env, ctx->adapter, "sign", "([B[B)[B");
    jbyteArray jalg = jbytes(env, algorithm);
    jbyteArray jdigest = (*env)->NewByteArray(env, (jsize)digest_len);
    if (m == NULL || jalg == NULL || jdigest == NULL) {
        (*env)->ExceptionClear(env);
        if (jalg != NULL)
            (*env)->DeleteLocalRef(env, jalg);
        if (jdigest != NULL)
            (*env)->DeleteLocalRef(env, jdigest);
        return EMZA_ENOMEM;
    }
    (*env)->SetByteArrayRegion(env, jdigest, 0, (jsize)digest_len, (const jbyte *)digest);
    jbyteArray sig = (*env)->CallObjectMethod(env, ctx->adapter, m, jalg, jdigest);
    int rc = sig == NULL || (*env)->ExceptionCheck(env)
                 ? adapter_error(env, ctx->adapter)
                 : take_bytes(env, sig, signature, signature_size, signature_len);
    (*env)->DeleteLocalRef(env, jalg);
    (*env)->DeleteLocalRef(env, jdigest);
    if (sig != NULL)
        (*env)->DeleteLocalRef(env, sig);
    return rc;
}

static int ask_pin(void *opaque, const char *token_label, int for_signature, char *buf, size_t size,
                   size_t *len)
{
    callback_ctx *ctx = opaque;
    JNIEnv *env = callback_env();
    if (env == NULL)
        return EMZA_EINTERNAL;
    jmethodID m = adapter_method(env, ctx->adapter, "ask", "([BZ)[B");
    jbyteArray jlabel = jbytes(env, token_label != NULL ? token_label : "");
    if (m == NULL || jlabel == NULL) {
        (*env)->ExceptionClear(env);
        if (jlabel != NULL)
            (*env)->DeleteLocalRef(env, jlabel);
        return EMZA_ENOMEM;
    }
    jbyteArray pin = (*env)->CallObjectMethod(env, ctx->adapter, m, jlabel, (jboolean)(for_signature != 0));
    int rc = pin == NULL || (*env)->ExceptionCheck(env) ? adapter_error(env, ctx->adapter)
                                                          : take_bytes(env, pin, buf, size, len);
    (*env)->DeleteLocalRef(env, jlabel);
    if (pin != NULL)
        (*env)->DeleteLocalRef(env, pin);
    return rc;
}

JNIEXPORT jlong JNICALL FN(signerNewExternal)(JNIEnv *env, jclass c, jlong cert, jlong chain, jlong ctx)
{
    (void)c;
    emza_signer *s = NULL;
    int rc = emza_signer_new_external(&s, H(const emza_cert, cert), H(const emza_cert_list, chain),
                                      external_sign, H(void, ctx));
    return failed(env, rc) ? 0 : J(s);
}

/* `strings`: module, token label, key label, key id (hex), chain path (each may be null but the module). */
JNIEXPORT jlong JNICALL FN(signerOpenPkcs11)(JNIEnv *env, jclass c, jobjectArray strings, jboolean has_slot,
                                             jlong slot, jlong pin_ctx)
{
    (void)c;
    jsize ns = 0;
    char **s = cstrs(env, strings, &ns);
    if (s == NULL)
        return 0;
    emza_pkcs11_options *o = NULL;
    emza_signer *signer = NULL;
    int rc = ns == 5 ? emza_pkcs11_options_new(&o) : EMZA_EINTERNAL;
    if (rc == EMZA_OK)
        rc = emza_pkcs11_options_set_module(o, s[0]);
    if (rc == EMZA_OK)
        rc = emza_pkcs11_options_set_token_label(o, s[1]);
    if (rc == EMZA_OK && has_slot)
        rc = emza_pkcs11_options_set_slot(o, (unsigned long)slot);
    if (rc == EMZA_OK)
        rc = emza_pkcs11_options_set_key_label(o, s[2]);
    if (rc == EMZA_OK)
        rc = emza_pkcs11_options_set_key_id(o, s[3]);
    if (rc == EMZA_OK)
        rc = emza_pkcs11_options_set_chain(o, s[4]);
    if (rc == EMZA_OK && pin_ctx != 0)
        rc = emza_pkcs11_options_set_pin(o, ask_pin, H(void, pin_ctx));
    if (rc == EMZA_OK)
        rc = emza_signer_open_pkcs11(&signer, o);
    emza_pkcs11_options_free(o);
    free_strings(s, ns);
    return failed(env, rc) ? 0 : J(signer);
}

/* --- two-step signing --- */

JNIEXPORT jlong JNICALL FN(prepare)(JNIEnv *env, jclass c, jlong cert, jlong chain, jint format, jint level,
                                    jint mode, jboolean rsa_pss, jboolean has_time, jlong signing_time,
                                    jint timeout, jobjectArray strings, jobjectArray inputs)
{
    (void)c;
    jsize ns = 0, ni = 0;
    char **s = cstrs(env, strings, &ns);
    char **in = s == NULL ? NULL : cstrs(env, inputs, &ni);
    emza_sign_options *o = NULL;
    emza_prepared *p = NULL;
    int rc = EMZA_ENOMEM;
    if (s != NULL && in != NULL)
        rc = sign_options(&o, format, level, mode, rsa_pss, has_time, signing_time, timeout, s, ns);
    if (rc == EMZA_OK)
        rc = emza_sign_prepare(&p, H(const emza_cert, cert), H(const emza_cert_list, chain), o,
                               (const char *const *)in, (size_t)ni);
    emza_sign_options_free(o);
    free_strings(in, ni);
    free_strings(s, ns);
    if ((*env)->ExceptionCheck(env))
        return 0;
    return failed(env, rc) ? 0 : J(p);
}

JNIEXPORT void JNICALL FN(preparedFree)(JNIEnv *env, jclass c, jlong p)
{
    (void)env, (void)c;
    emza_prepared_free(H(emza_prepared, p));
}

JNIEXPORT jbyteArray JNICALL FN(preparedDigest)(JNIEnv *env, jclass c, jlong p)
{
    (void)c;
    size_t n = 0;
    const uint8_t *d = emza_prepared_digest(H(const emza_prepared, p), &n);
    jbyteArray a = (*env)->NewByteArray(env, (jsize)n);
    if (a != NULL && d != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)n, (const jbyte *)d);
    return a;
}

/* 0 digest algorithm, 1 signature algorithm, 2 the state as JSON. */
JNIEXPORT jbyteArray JNICALL FN(preparedString)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)c;
    const emza_prepared *p = H(const emza_prepared, handle);
    switch (which) {
    case 0: return jbytes(env, emza_prepared_digest_algorithm(p));
    case 1: return jbytes(env, emza_prepared_signature_algorithm(p));
    case 2: {
        char *json = NULL;
        if (failed(env, emza_prepared_to_json(&json, p)))
            return NULL;
        jbyteArray a = jbytes(env, json);
        emza_free(json);
        return a;
    }
    default: return NULL;
    }
}

JNIEXPORT jlong JNICALL FN(preparedSigningTime)(JNIEnv *env, jclass c, jlong p)
{
    (void)env, (void)c;
    return emza_prepared_signing_time(H(const emza_prepared, p));
}

JNIEXPORT jlong JNICALL FN(preparedCert)(JNIEnv *env, jclass c, jlong p)
{
    (void)env, (void)c;
    return J(emza_cert_dup(emza_prepared_cert(H(const emza_prepared, p))));
}

JNIEXPORT jlong JNICALL FN(preparedFromJson)(JNIEnv *env, jclass c, jbyteArray json)
{
    (void)c;
    jsize n = (*env)->GetArrayLength(env, json);
    jbyte *raw = (*env)->GetByteArrayElements(env, json, NULL);
    if (raw == NULL)
        return 0;
    emza_prepared *p = NULL;
    int rc = emza_prepared_from_json(&p, raw, (size_t)n);
    (*env)->ReleaseByteArrayElements(env, json, raw, JNI_ABORT);
    return failed(env, rc) ? 0 : J(p);
}

JNIEXPORT void JNICALL FN(preparedSave)(JNIEnv *env, jclass c, jlong p, jbyteArray path)
{
    (void)c;
    int oom = 0;
    char *s = cstr(env, path, &oom);
    if (oom)
        return;
    int rc = emza_prepared_save(H(const emza_prepared, p), s);
    free(s);
    failed(env, rc);
}

JNIEXPORT jlong JNICALL FN(preparedLoad)(JNIEnv *env, jclass c, jbyteArray path)
{
    (void)c;
    int oom = 0;
    char *s = cstr(env, path, &oom);
    if (oom)
        return 0;
    emza_prepared *p = NULL;
    int rc = emza_prepared_load(&p, s);
    free(s);
    return failed(env, rc) ? 0 : J(p);
}

/* A copy of a state key (a Java byte[], not null) in C memory; release with key_free (wipes it). */
static uint8_t *key_copy(JNIEnv *env, jbyteArray key, size_t *len)
{
    jsize n = (*env)->GetArrayLength(env, key);
    uint8_t *k = malloc((size_t)n + 1);
    if (k == NULL) {
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "emza: out of memory");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, key, 0, n, (jbyte *)k);
    *len = (size_t)n;
    return k;
}

static void key_free(uint8_t *k, size_t len)
{
    if (k != NULL) {
        emza_wipe(k, len);
        free(k);
    }
}

JNIEXPORT jbyteArray JNICALL FN(preparedSealedToJson)(JNIEnv *env, jclass c, jlong p, jbyteArray key)
{
    (void)c;
    size_t klen = 0;
    uint8_t *k = key_copy(env, key, &klen);
    if (k == NULL)
        return NULL;
    char *json = NULL;
    int rc = emza_prepared_to_json_sealed(&json, H(const emza_prepared, p), k, klen);
    key_free(k, klen);
    if (failed(env, rc))
        return NULL;
    jbyteArray a = jbytes(env, json);
    emza_free(json);
    return a;
}

JNIEXPORT jlong JNICALL FN(preparedSealedFromJson)(JNIEnv *env, jclass c, jbyteArray json, jbyteArray key)
{
    (void)c;
    size_t klen = 0;
    uint8_t *k = key_copy(env, key, &klen);
    if (k == NULL)
        return 0;
    jsize n = (*env)->GetArrayLength(env, json);
    jbyte *raw = (*env)->GetByteArrayElements(env, json, NULL);
    if (raw == NULL) {
        key_free(k, klen);
        return 0;
    }
    emza_prepared *p = NULL;
    int rc = emza_prepared_from_json_sealed(&p, raw, (size_t)n, k, klen);
    (*env)->ReleaseByteArrayElements(env, json, raw, JNI_ABORT);
    key_free(k, klen);
    return failed(env, rc) ? 0 : J(p);
}

JNIEXPORT void JNICALL FN(preparedSealedSave)(JNIEnv *env, jclass c, jlong p, jbyteArray path, jbyteArray key)
{
    (void)c;
    int oom = 0;
    char *s = cstr(env, path, &oom);
    if (oom)
        return;
    size_t klen = 0;
    uint8_t *k = key_copy(env, key, &klen);
    if (k == NULL) {
        free(s);
        return;
    }
    int rc = emza_prepared_save_sealed(H(const emza_prepared, p), s, k, klen);
    key_free(k, klen);
    free(s);
    failed(env, rc);
}

JNIEXPORT jlong JNICALL FN(preparedSealedLoad)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray key)
{
    (void)c;
    int oom = 0;
    char *s = cstr(env, path, &oom);
    if (oom)
        return 0;
    size_t klen = 0;
    uint8_t *k = key_copy(env, key, &klen);
    if (k == NULL) {
        free(s);
        return 0;
    }
    emza_prepared *p = NULL;
    int rc = emza_prepared_load_sealed(&p, s, k, klen);
    key_free(k, klen);
    free(s);
    return failed(env, rc) ? 0 : J(p);
}

JNIEXPORT void JNICALL FN(preparedFinalize)(JNIEnv *env, jclass c, jlong p, jbyteArray signature,
                                            jbyteArray output)
{
    (void)c;
    int oom = 0;
    char *out = cstr(env, output, &oom);
    if (oom)
        return;
    jsize n = (*env)->GetArrayLength(env, signature);
    jbyte *raw = (*env)->GetByteArrayElements(env, signature, NULL);
    if (raw == NULL) {
        free(out);
        return;
    }
    int rc = emza_sign_finalize(H(const emza_prepared, p), (const uint8_t *)raw, (size_t)n, out);
    (*env)->ReleaseByteArrayElements(env, signature, raw, JNI_ABORT);
    free(out);
    failed(env, rc);
}

/* --- citizen authentication --- */

JNIEXPORT jlong JNICALL FN(challengeNew)(JNIEnv *env, jclass c, jint lifetime)
{
    (void)c;
    emza_auth_challenge *ch = NULL;
    int rc = lifetime < 0 ? EMZA_EINVAL : emza_auth_challenge_new(&ch, (unsigned)lifetime);
    return failed(env, rc) ? 0 : J(ch);
}

JNIEXPORT jlong JNICALL FN(challengeRestore)(JNIEnv *env, jclass c, jbyteArray nonce, jlong issued_at,
                                             jint lifetime)
{
    (void)c;
    int oom = 0;
    char *n = cstr(env, nonce, &oom);
    if (oom)
        return 0;
    emza_auth_challenge *ch = NULL;
    int rc = lifetime < 0 ? EMZA_EINVAL : emza_auth_challenge_restore(&ch, n, issued_at, (unsigned)lifetime);
    free(n);
    return failed(env, rc) ? 0 : J(ch);
}

JNIEXPORT void JNICALL FN(challengeFree)(JNIEnv *env, jclass c, jlong ch)
{
    (void)env, (void)c;
    emza_auth_challenge_free(H(emza_auth_challenge, ch));
}

JNIEXPORT jbyteArray JNICALL FN(challengeNonce)(JNIEnv *env, jclass c, jlong ch)
{
    (void)c;
    return jbytes(env, emza_auth_challenge_nonce(H(const emza_auth_challenge, ch)));
}

/* 0 issued at, 1 expires at, 2 lifetime. */
JNIEXPORT jlong JNICALL FN(challengeLong)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)env, (void)c;
    const emza_auth_challenge *ch = H(const emza_auth_challenge, handle);
    switch (which) {
    case 0: return emza_auth_challenge_issued_at(ch);
    case 1: return emza_auth_challenge_expires_at(ch);
    case 2: return (jlong)emza_auth_challenge_lifetime(ch);
    default: return 0;
    }
}

JNIEXPORT jlong JNICALL FN(replayCacheNew)(JNIEnv *env, jclass c, jlong max_entries)
{
    (void)c;
    emza_replay_cache *cache = NULL;
    int rc = max_entries < 0 ? EMZA_EINVAL : emza_replay_cache_new(&cache, (size_t)max_entries);
    return failed(env, rc) ? 0 : J(cache);
}

JNIEXPORT void JNICALL FN(replayCacheFree)(JNIEnv *env, jclass c, jlong cache)
{
    (void)env, (void)c;
    emza_replay_cache_free(H(emza_replay_cache, cache));
}

JNIEXPORT jlong JNICALL FN(replayCacheCount)(JNIEnv *env, jclass c, jlong cache)
{
    (void)env, (void)c;
    return (jlong)emza_replay_cache_count(H(emza_replay_cache, cache));
}

JNIEXPORT jbyteArray JNICALL FN(originNormalize)(JNIEnv *env, jclass c, jbyteArray origin)
{
    (void)c;
    int oom = 0;
    char *o = cstr(env, origin, &oom);
    if (oom)
        return NULL;
    char *out = NULL;
    int rc = emza_auth_origin_normalize(&out, o);
    free(o);
    if (failed(env, rc))
        return NULL;
    jbyteArray a = jbytes(env, out);
    emza_free(out);
    return a;
}

JNIEXPORT jbyteArray JNICALL FN(authSign)(JNIEnv *env, jclass c, jlong signer, jbyteArray origin,
                                          jbyteArray nonce, jbyteArray algorithm)
{
    (void)c;
    int oom = 0;
    char *o = cstr(env, origin, &oom);
    char *n = oom ? NULL : cstr(env, nonce, &oom);
    char *alg = oom ? NULL : cstr(env, algorithm, &oom);
    char *token = NULL;
    emza_auth_sign_options *opts = NULL;
    int rc = oom ? EMZA_ENOMEM : emza_auth_sign_options_new(&opts);
    if (rc == EMZA_OK)
        rc = emza_auth_sign_options_set_algorithm(opts, alg);
    if (rc == EMZA_OK)
        rc = emza_auth_sign(&token, H(const emza_signer, signer), o, n, opts);
    emza_auth_sign_options_free(opts);
    free(o);
    free(n);
    free(alg);
    if (oom || failed(env, rc))
        return NULL;
    jbyteArray a = jbytes(env, token);
    emza_free(token);
    return a;
}

/*
 * Verifies a token; returns the emza_auth_identity handle. A refusal throws
 * AuthException with the reason's name. `skew` < 0 keeps the default.
 */
JNIEXPORT jlong JNICALL FN(authVerify)(JNIEnv *env, jclass c, jbyteArray token, jlong challenge,
                                       jbyteArray origin, jlong trust, jlong untrusted, jboolean has_time,
                                       jlong at, jboolean offline, jint skew, jint timeout, jlong cache)
{
    (void)c;
    int oom = 0;
    char *o = cstr(env, origin, &oom);
    if (oom)
        return 0;
    jsize n = (*env)->GetArrayLength(env, token);
    jbyte *raw = (*env)->GetByteArrayElements(env, token, NULL);
    if (raw == NULL) {
        free(o);
        return 0;
    }
    emza_auth_verify_options *opts = NULL;
    emza_auth_identity *id = NULL;
    emza_auth_reason reason = EMZA_AUTH_NONE;
    int rc = emza_auth_verify_options_new(&opts);
    if (rc == EMZA_OK)
        rc = emza_auth_verify_options_set_trust(opts, H(const emza_trust, trust));
    if (rc == EMZA_OK)
        rc = emza_auth_verify_options_set_untrusted(opts, H(const emza_cert_list, untrusted));
    if (rc == EMZA_OK && has_time)
        rc = emza_auth_verify_options_set_validation_time(opts, at);
    if (rc == EMZA_OK)
        rc = emza_auth_verify_options_set_offline(opts, offline ? 1 : 0);
    if (rc == EMZA_OK && skew >= 0)
        rc = emza_auth_verify_options_set_clock_skew(opts, (unsigned)skew);
    if (rc == EMZA_OK)
        rc = emza_auth_verify_options_set_timeout(opts, timeout);
    if (rc == EMZA_OK && cache != 0)
        rc = emza_auth_verify_options_set_replay(opts, emza_replay_cache_use, H(void, cache));
    if (rc == EMZA_OK)
        rc = emza_auth_verify(&id, &reason, (const char *)raw, (size_t)n, H(const emza_auth_challenge, challenge),
                              o, opts);
    (*env)->ReleaseByteArrayElements(env, token, raw, JNI_ABORT);
    emza_auth_verify_options_free(opts);
    free(o);
    if (rc == EMZA_EAUTH) {
        throw_error(env, rc, emza_auth_reason_name(reason));
        return 0;
    }
    return failed(env, rc) ? 0 : J(id);
}

JNIEXPORT void JNICALL FN(identityFree)(JNIEnv *env, jclass c, jlong id)
{
    (void)env, (void)c;
    emza_auth_identity_free(H(emza_auth_identity, id));
}

/* 0 national code, 1 legal id, 2 given name, 3 surname, 4 common name, 5 origin, 6 algorithm. */
JNIEXPORT jbyteArray JNICALL FN(identityString)(JNIEnv *env, jclass c, jlong handle, jint which)
{
    (void)c;
    const emza_auth_identity *id = H(const emza_auth_identity, handle);
    const char *(*const getters[])(const emza_auth_identity *) = {
        emza_auth_identity_national_code, emza_auth_identity_legal_id, emza_auth_identity_given_name,
        emza_auth_identity_surname, emza_auth_identity_common_name, emza_auth_identity_origin,
        emza_auth_identity_algorithm,
    };
    if (which < 0 || (size_t)which >= sizeof(getters) / sizeof(getters[0]))
        return NULL;
    return jbytes(env, getters[which](id));
}

JNIEXPORT jbyteArray JNICALL FN(identityCertDer)(JNIEnv *env, jclass c, jlong id)
{
    (void)c;
    size_t n = 0;
    const uint8_t *der = emza_cert_der(emza_auth_identity_cert(H(const emza_auth_identity, id)), &n);
    jbyteArray a = (*env)->NewByteArray(env, (jsize)n);
    if (a != NULL && der != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)n, (const jbyte *)der);
    return a;
}
