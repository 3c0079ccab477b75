/* SPDX-License-Identifier: Apache-2.0 */
typedef int emza_placeholder_cli_util;
