/*
 * A thin layer over libxml2's xmlTextWriter for the SVG graph and the
 * console's HTML: one writer into memory, a sticky failure flag instead of
 * a return code per call, and text cleaned before it is written so the
 * output is always well-formed (libxml2 escapes markup characters but
 * passes invalid UTF-8 and control characters through).
 */
#include "server/srv_int.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Characters XML 1.0 can hold (§2.2): tab, newline, carriage return and
 * everything from U+0020 except surrogates, U+FFFE and U+FFFF. */
static bool xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD ||
           (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           cp >= 0x10000;
}

/* s, or a new cleaned copy in *tmp when s holds anything XML cannot. */
static const char *clean(const char *s, char **tmp)
{
    size_t n = strlen(s), i = 0;
    *tmp = NULL;
    bt_buf b;
    bt_buf_init(&b);
    bool dirty = false;
    while (i < n) {
        uint32_t cp = 0;
        size_t used = bt_utf8_decode(s + i, n - i, &cp);
        bool ok = used && xml_char(cp);
        if (!ok && !dirty) {
            dirty = true;
            bt_buf_append(&b, s, i);
        }
        if (dirty) {
            if (ok)
                bt_buf_append(&b, s + i, used);
            else
                bt_buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
        }
        i += used ? used : 1;
    }
    if (!dirty)
        return s;
    *tmp = bt_buf_take(&b);
    return *tmp;
}

static void check(srv_xml *x, int rc)
{
    if (rc < 0)
        x->bad = true;
}

void srv__xml_begin(srv_xml *x, bool indent)
{
    /* libxml2 sets up its globals on the first page or graph, on the loop
     * thread (the only one that renders): `baton serve` answering only
     * the API never loads it. */
    static bool initialised;
    if (!initialised) {
        xmlInitParser();
        initialised = true;
    }
    memset(x, 0, sizeof *x);
    x->buf = xmlBufferCreate();
    x->w = x->buf ? xmlNewTextWriterMemory(x->buf, 0) : NULL;
    if (!x->w) {
        x->bad = true;
        return;
    }
    if (indent) {
        check(x, xmlTextWriterSetIndent(x->w, 1));
        check(x, xmlTextWriterSetIndentString(x->w, BAD_CAST " "));
    }
}

void srv__xml_open(srv_xml *x, const char *tag)
{
    if (!x->bad)
        check(x, xmlTextWriterStartElement(x->w, BAD_CAST tag));
}

void srv__xml_attr(srv_xml *x, const char *name, const char *value)
{
    if (x->bad || !value)
        return;
    char *tmp;
    const char *v = clean(value, &tmp);
    check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST v));
    free(tmp);
}

void srv__xml_attrf(srv_xml *x, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = bt_xvasprintf(fmt, ap);
    va_end(ap);
    srv__xml_attr(x, name, v);
    free(v);
}

void srv__xml_text(srv_xml *x, const char *text)
{
    if (x->bad || !text)
        return;
    char *tmp;
    const char *v = clean(text, &tmp);
    check(x, xmlTextWriterWriteString(x->w, BAD_CAST v));
    free(tmp);
}

void srv__xml_textf(srv_xml *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = bt_xvasprintf(fmt, ap);
    va_end(ap);
    srv__xml_text(x, v);
    free(v);
}

void srv__xml_close(srv_xml *x)
{
    if (!x->bad)
        check(x, xmlTextWriterFullEndElement(x->w));
}

void srv__xml_close_short(srv_xml *x)
{
    if (!x->bad)
        check(x, xmlTextWriterEndElement(x->w));
}

void srv__xml_element(srv_xml *x, const char *tag, const char *text)
{
    srv__xml_open(x, tag);
    srv__xml_text(x, text);
    srv__xml_close(x);
}

void srv__xml_raw(srv_xml *x, const char *text)
{
    if (!x->bad)
        check(x, xmlTextWriterWriteRaw(x->w, BAD_CAST text));
}

int srv__xml_end(srv_xml *x, bt_buf *out)
{
    if (x->w && !x->bad)
        check(x, xmlTextWriterEndDocument(x->w));
    if (x->w)
        xmlFreeTextWriter(x->w); /* flushes into buf */
    x->w = NULL;
    int rc = x->bad ? BT_EIO : 0;
    if (rc == 0 && x->buf) {
        bt_buf_append(out, xmlBufferContent(x->buf),
                      (size_t)xmlBufferLength(x->buf));
        bt_buf_putc(out, '\n');
    }
    if (x->buf)
        xmlBufferFree(x->buf);
    x->buf = NULL;
    return rc;
}
