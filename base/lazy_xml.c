/*
 * libxml2 on first use (base/bt_lazy.h): the text writer and buffer
 * functions the SVG graph and the console call, defined here with
 * libxml2's own prototypes. The first call loads the library and all of
 * XML_FUNCS under one pthread_once. None is variadic, and Baton's code uses
 * none of libxml2's data symbols (xmlFree and the other allocator
 * variables), which a function wrapper could not stand in for.
 */
#include "base/bt_lazy.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>

const bt_lazy_lib bt_lazy_xml = {BT_SONAME_XML, "libxml2"};

#define XML_FUNCS(X)                                                           \
    X(xmlInitParser)                                                           \
    X(xmlBufferCreate)                                                         \
    X(xmlBufferContent)                                                        \
    X(xmlBufferLength)                                                         \
    X(xmlBufferFree)                                                           \
    X(xmlNewTextWriterMemory)                                                  \
    X(xmlFreeTextWriter)                                                       \
    X(xmlTextWriterSetIndent)                                                  \
    X(xmlTextWriterSetIndentString)                                            \
    X(xmlTextWriterStartElement)                                               \
    X(xmlTextWriterWriteAttribute)                                             \
    X(xmlTextWriterWriteString)                                                \
    X(xmlTextWriterWriteRaw)                                                   \
    X(xmlTextWriterEndElement)                                                 \
    X(xmlTextWriterFullEndElement)                                             \
    X(xmlTextWriterEndDocument)

static struct {
#define XML_PTR(f) __typeof__(f) *f;
    XML_FUNCS(XML_PTR)
#undef XML_PTR
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    void *h = bt_lazy_open(&bt_lazy_xml);
#define XML_SYM(f) bt_lazy_sym(&bt_lazy_xml, h, #f, &real.f, sizeof real.f);
    XML_FUNCS(XML_SYM)
#undef XML_SYM
}

/* The real function f, the library loaded first if need be. */
#define REAL(f) (pthread_once(&once, load), real.f)

void xmlInitParser(void)
{
    REAL(xmlInitParser)();
}

xmlBufferPtr xmlBufferCreate(void)
{
    return REAL(xmlBufferCreate)();
}

const xmlChar *xmlBufferContent(const xmlBuffer *buf)
{
    return REAL(xmlBufferContent)(buf);
}

int xmlBufferLength(const xmlBuffer *buf)
{
    return REAL(xmlBufferLength)(buf);
}

void xmlBufferFree(xmlBufferPtr buf)
{
    REAL(xmlBufferFree)(buf);
}

xmlTextWriterPtr xmlNewTextWriterMemory(xmlBufferPtr buf, int compression)
{
    return REAL(xmlNewTextWriterMemory)(buf, compression);
}

void xmlFreeTextWriter(xmlTextWriterPtr writer)
{
    REAL(xmlFreeTextWriter)(writer);
}

int xmlTextWriterSetIndent(xmlTextWriterPtr writer, int indent)
{
    return REAL(xmlTextWriterSetIndent)(writer, indent);
}

int xmlTextWriterSetIndentString(xmlTextWriterPtr writer, const xmlChar *str)
{
    return REAL(xmlTextWriterSetIndentString)(writer, str);
}

int xmlTextWriterStartElement(xmlTextWriterPtr writer, const xmlChar *name)
{
    return REAL(xmlTextWriterStartElement)(writer, name);
}

int xmlTextWriterWriteAttribute(xmlTextWriterPtr writer, const xmlChar *name,
                                const xmlChar *content)
{
    return REAL(xmlTextWriterWriteAttribute)(writer, name, content);
}

int xmlTextWriterWriteString(xmlTextWriterPtr writer, const xmlChar *content)
{
    return REAL(xmlTextWriterWriteString)(writer, content);
}

int xmlTextWriterWriteRaw(xmlTextWriterPtr writer, const xmlChar *content)
{
    return REAL(xmlTextWriterWriteRaw)(writer, content);
}

int xmlTextWriterEndElement(xmlTextWriterPtr writer)
{
    return REAL(xmlTextWriterEndElement)(writer);
}

int xmlTextWriterFullEndElement(xmlTextWriterPtr writer)
{
    return REAL(xmlTextWriterFullEndElement)(writer);
}

int xmlTextWriterEndDocument(xmlTextWriterPtr writer)
{
    return REAL(xmlTextWriterEndDocument)(writer);
}
