/* SPDX-License-Identifier: Apache-2.0 */
typedef int emza_placeholder_cmd_cert;
