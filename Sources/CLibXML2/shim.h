#ifndef PORTAGE_CLIBXML2_SHIM_H
#define PORTAGE_CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/* xmlFree is a global function pointer: not concurrency-safe to reference from Swift 6. */
static inline void portage_xml_free(void *pointer) {
    xmlFree(pointer);
}

#endif
