/* SPDX-License-Identifier: Apache-2.0 */
/* placeholder: being written */
typedef int emza_placeholder_xml_parse;
