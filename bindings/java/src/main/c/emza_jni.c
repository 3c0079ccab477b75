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

/* Throws EmzaException for `rc` < 0 and returns 1; returns 0 otherwise. */
static int failed(JNIEnv *env, int rc)
{
    if (rc >= 0)
        return 0;
    const char *message = emza_error_last_code() == rc ? emza_error_last_message() : emza_error_describe(rc);
    jclass cls = (*env)->FindClass(env, "ir/emza/EmzaException");
    if (cls == NULL)
        return 1; /* NoClassDefFoundError pending */
    jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>", "(ILjava/lang/String;Ljava/lang/String;)V");
    jstring jname = (*env)->NewStringUTF(env, emza_error_name(rc)); /* ASCII */
    jbyteArray raw = (*env)->NewByteArray(env, (jsize)strlen(message));
    if (ctor == NULL || jname == NULL || raw == NULL)
        return 1;
    (*env)->SetByteArrayRegion(env, raw, 0, (jsize)strlen(message), (const jbyte *)message);
    jclass strc = (*env)->FindClass(env, "ir/emza/Native");
    jmethodID dec = (*env)->GetStaticMethodID(env, strc, "str", "([B)Ljava/lang/String;");
    jstring jmsg = (*env)->CallStaticObjectMethod(env, strc, dec, raw);
    if ((*env)->ExceptionCheck(env))
        return 1;
    jobject ex = (*env)->NewObject(env, cls, ctor, (jint)rc, jname, jmsg);
    if (ex != NULL)
        (*env)->Throw(env, (jthrowable)ex);
    return 1;
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
 * Signs: `strings` holds digest, existing, mime type, signer role, TSA URL,
 * production city, production country, policy OID, policy SHA-256 (each may
 * be null); `signing_time` is used when has_time.
 */
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
    if (ns != 9) {
        rc = EMZA_EINTERNAL;
        goto cleanup;
    }
    rc = emza_sign_options_new(&o, (emza_format)format);
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
                                       jobjectArray data)
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
 * handle, 0 when unknown), 5 objects, 6 timestamps, 7 errors, 8 warnings.
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
    default: return 0;
    }
}

/*
 * 0 id, 1 level, 2 algorithm; per item `i`: 10 object uri, 11 object name,
 * 12 object digest, 13 object MIME type, 14 object whole ("1"/"0"),
 * 20 timestamp type, 21 timestamp TSA, 22 timestamp indication, 30 error code, 31 error message, 40 warning code,
 * 41 warning message.
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
    default: return NULL;
    }
}

/* The time of timestamp `index`. */
JNIEXPORT jlong JNICALL FN(sigTimestampTime)(JNIEnv *env, jclass c, jlong handle, jint index)
{
    (void)env, (void)c;
    return emza_signature_timestamp_time(H(const emza_signature_report, handle), (size_t)index);
}
