#ifndef PORTAGE_CLIBXML2_SHIM_H
#define PORTAGE_CLIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU, so its encoding.h includes <unicode/ucnv.h>; those system ICU
 * headers clash with Foundation's own copy (_FoundationICU: "UErrorCode ... is not present in
 * definition"). Portage never touches libxml2's ICU converters, so the headers are read without
 * them: only the layout of xmlCharEncodingHandler changes, a struct Swift never allocates or reads. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/* xmlFree is a global function pointer: not concurrency-safe to reference from Swift 6. */
static inline void portage_xml_free(void *pointer) {
    xmlFree(pointer);
}

#endif
