/*
 * mindshare.scan._native: hyperscan's C API driven from C, so that a match costs a few nanoseconds instead of
 * a Python call.
 *
 * Why this exists: through the Python binding, hyperscan calls back into Python once per match, and on papers
 * (tens of matches per 50 KB) those calls cost as much as the scan itself. Here the callback stays in C: it
 * checks the whole-word conditions of a literal keyword and appends the end offset to a growable array; the
 * Python lists are built once, after the scan, with the GIL released during it.
 *
 * What it computes is exactly what `mindshare.scan.match.Matcher` computes with the Python binding or with
 * Python's `re` (tests/test_scan_native.py checks the three against each other on generated text):
 *
 *   Scanner(expressions, word_lengths, single=0)
 *     expressions   hyperscan expressions (bytes), compiled case-insensitively, ids 0..n-1; the last `single`
 *                   of them report their first match only (HS_FLAG_SINGLEMATCH)
 *     word_lengths  per expression: 0, or the byte length L of a literal keyword whose whole-word conditions
 *                   are checked here rather than in the expression (hyperscan runs its fast literal engines on
 *                   plain literals, its automata on look-arounds). A literal that ended at `end` is a match when
 *                   the byte before `end - L` is not a word byte ([A-Za-z0-9_]), and after any digits that
 *                   follow it comes the end of the data or a byte that is not a word byte; the match then
 *                   ends after that byte (or at the end of the data), as the regex form
 *                   `\bLITERAL(?:[0-9]*[^a-zA-Z0-9_]|[0-9]*\z)` would end.
 *   Scanner.scan(data) -> list of lists of end offsets, one list per expression, in order of the data.
 *   matching_lines(data, ends) -> how many lines hold at least one match (what `rg -c` counts), a match's line
 *                   being the one holding its last byte, or the byte before when that last byte is '\n'.
 *   places(data, ends, first_words, spans, owners, owner_count, refs) -> per contender, its direct and ecosystem
 *                   counts and where its direct mentions sit (rules.places_in_python).
 *   needs_repair(data) -> whether the text repairs could change the bytes (extract.needs_repair_in_python).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <hs.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static inline int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static inline int is_digit_byte(unsigned char c) { return c >= '0' && c <= '9'; }

/* ------------------------------------------------------------------------------------------ growable array */

typedef struct {
    Py_ssize_t *items;
    Py_ssize_t len, cap;
} Offsets;

static int offsets_push(Offsets *o, Py_ssize_t value)
{
    if (o->len == o->cap) {
        Py_ssize_t cap = o->cap ? o->cap * 2 : 16;
        Py_ssize_t *items = realloc(o->items, (size_t)cap * sizeof(Py_ssize_t));
        if (!items)
            return -1;
        o->items = items;
        o->cap = cap;
    }
    o->items[o->len++] = value;
    return 0;
}

/* ------------------------------------------------------------------------------------------ Scanner */

typedef struct {
    PyObject_HEAD
    hs_database_t *db;        /* NULL when there are no expressions */
    hs_scratch_t *scratch;    /* the scanner's own scratch space, used by one scan at a time */
    atomic_flag scratch_busy; /* a second thread scanning at the same time allocates its own */
    Py_ssize_t count;
    Py_ssize_t *word_lengths;
} Scanner;

typedef struct {
    const unsigned char *data;
    size_t size;
    const Py_ssize_t *word_lengths;
    Offsets *ends;
    int out_of_memory;
} ScanState;

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                    void *context)
{
    (void)from;
    (void)flags;
    ScanState *state = context;
    size_t end = (size_t)to;
    Py_ssize_t length = state->word_lengths[id];
    if (length > 0) {
        size_t start = end - (size_t)length;
        if (start > 0 && is_word_byte(state->data[start - 1]))
            return 0;
        while (end < state->size && is_digit_byte(state->data[end]))
            end++;
        if (end < state->size) {
            if (is_word_byte(state->data[end]))
                return 0;
            end++; /* the match takes the one non-word byte that closes it, as the regex form does */
        }
    }
    if (offsets_push(&state->ends[id], (Py_ssize_t)end) < 0) {
        state->out_of_memory = 1;
        return 1; /* stop scanning */
    }
    return 0;
}

static void Scanner_dealloc(Scanner *self)
{
    if (self->scratch)
        hs_free_scratch(self->scratch);
    if (self->db)
        hs_free_database(self->db);
    free(self->word_lengths);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Scanner_init(Scanner *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"expressions", "word_lengths", "single", NULL};
    PyObject *expressions_arg, *lengths_arg;
    Py_ssize_t single = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|n", keywords, &expressions_arg, &lengths_arg, &single))
        return -1;
    if (self->db) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner is already initialised");
        return -1;
    }
    PyObject *expressions = PySequence_Fast(expressions_arg, "expressions must be a sequence of bytes");
    if (!expressions)
        return -1;
    PyObject *lengths = PySequence_Fast(lengths_arg, "word_lengths must be a sequence of ints");
    if (!lengths) {
        Py_DECREF(expressions);
        return -1;
    }
    int result = -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(expressions);
    const char **patterns = NULL;
    unsigned int *flags = NULL, *ids = NULL;
    if (PySequence_Fast_GET_SIZE(lengths) != count) {
        PyErr_SetString(PyExc_ValueError, "expressions and word_lengths differ in length");
        goto done;
    }
    self->count = count;
    self->word_lengths = calloc((size_t)(count ? count : 1), sizeof(Py_ssize_t));
    patterns = calloc((size_t)(count ? count : 1), sizeof(char *));
    flags = calloc((size_t)(count ? count : 1), sizeof(unsigned int));
    ids = calloc((size_t)(count ? count : 1), sizeof(unsigned int));
    if (!self->word_lengths || !patterns || !flags || !ids) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *expression = PySequence_Fast_GET_ITEM(expressions, i);
        if (!PyBytes_Check(expression)) {
            PyErr_Format(PyExc_TypeError, "expression %zd is not bytes", i);
            goto done;
        }
        patterns[i] = PyBytes_AS_STRING(expression); /* NUL-terminated; kept alive by `expressions` */
        Py_ssize_t length = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(lengths, i));
        if (length < 0) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "word length %zd is negative", i);
            goto done;
        }
        self->word_lengths[i] = length;
        /* the last `single` expressions report their first match only (signs: is there one at all?) */
        flags[i] = HS_FLAG_CASELESS | (i >= count - single ? HS_FLAG_SINGLEMATCH : 0);
        ids[i] = (unsigned int)i;
    }
    if (count > 0) {
        hs_compile_error_t *error = NULL;
        if (hs_compile_multi(patterns, flags, ids, (unsigned int)count, HS_MODE_BLOCK, NULL, &self->db, &error)
            != HS_SUCCESS) {
            if (error && error->expression >= 0)
                PyErr_Format(PyExc_ValueError, "hyperscan cannot compile expression %d (%s): %s",
                             error->expression, patterns[error->expression], error->message);
            else
                PyErr_Format(PyExc_ValueError, "hyperscan cannot compile the expressions: %s",
                             error ? error->message : "unknown error");
            hs_free_compile_error(error);
            self->db = NULL;
            goto done;
        }
        if (hs_alloc_scratch(self->db, &self->scratch) != HS_SUCCESS) {
            PyErr_NoMemory();
            goto done;
        }
    }
    result = 0;
done:
    free(patterns);
    free(flags);
    free(ids);
    Py_DECREF(expressions);
    Py_DECREF(lengths);
    return result;
}

static PyObject *offsets_to_lists(Offsets *ends, Py_ssize_t count)
{
    PyObject *out = PyList_New(count);
    if (!out)
        return NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *list = PyList_New(ends[i].len);
        if (!list) {
            Py_DECREF(out);
            return NULL;
        }
        for (Py_ssize_t j = 0; j < ends[i].len; j++) {
            PyObject *value = PyLong_FromSsize_t(ends[i].items[j]);
            if (!value) {
                Py_DECREF(list);
                Py_DECREF(out);
                return NULL;
            }
            PyList_SET_ITEM(list, j, value);
        }
        PyList_SET_ITEM(out, i, list);
    }
    return out;
}

static PyObject *Scanner_scan(Scanner *self, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *out = NULL;
    Offsets *ends = calloc((size_t)(self->count ? self->count : 1), sizeof(Offsets));
    if (!ends) {
        PyErr_NoMemory();
        goto done;
    }
    if (self->db && view.len > 0) {
        if ((unsigned long long)view.len > 0xffffffffULL) {
            PyErr_SetString(PyExc_ValueError, "hyperscan scans at most 4 GiB in one call");
            goto done;
        }
        hs_scratch_t *scratch = self->scratch, *own = NULL;
        if (atomic_flag_test_and_set(&self->scratch_busy)) {
            if (hs_alloc_scratch(self->db, &own) != HS_SUCCESS) {
                PyErr_NoMemory();
                goto done;
            }
            scratch = own;
        }
        ScanState state = {view.buf, (size_t)view.len, self->word_lengths, ends, 0};
        hs_error_t status;
        Py_BEGIN_ALLOW_THREADS
        status = hs_scan(self->db, view.buf, (unsigned int)view.len, 0, scratch, on_match, &state);
        Py_END_ALLOW_THREADS
        if (own)
            hs_free_scratch(own);
        else
            atomic_flag_clear(&self->scratch_busy);
        if (state.out_of_memory) {
            PyErr_NoMemory();
            goto done;
        }
        if (status != HS_SUCCESS && status != HS_SCAN_TERMINATED) {
            PyErr_Format(PyExc_RuntimeError, "hyperscan scan failed with status %d", (int)status);
            goto done;
        }
    }
    out = offsets_to_lists(ends, self->count);
done:
    if (ends) {
        for (Py_ssize_t i = 0; i < self->count; i++)
            free(ends[i].items);
        free(ends);
    }
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_O,
     "scan(data) -> end offsets of every match, one list per expression"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mindshare.scan._native.Scanner",
    .tp_doc = "Scanner(expressions, word_lengths): a compiled hyperscan database with whole-word checks in C",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

/* ------------------------------------------------------------------------------------------ matching_lines */

static int compare_offsets(const void *a, const void *b)
{
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

static PyObject *matching_lines(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer view;
    PyObject *ends_arg;
    if (!PyArg_ParseTuple(args, "y*O:matching_lines", &view, &ends_arg))
        return NULL;
    const unsigned char *data = view.buf;
    Py_ssize_t size = view.len;
    PyObject *result = NULL, *per_keyword = NULL;
    Offsets lasts = {NULL, 0, 0};
    per_keyword = PySequence_Fast(ends_arg, "ends must be a sequence of sequences of ints");
    if (!per_keyword)
        goto done;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(per_keyword); i++) {
        PyObject *offsets = PySequence_Fast(PySequence_Fast_GET_ITEM(per_keyword, i),
                                            "ends must be a sequence of sequences of ints");
        if (!offsets)
            goto done;
        for (Py_ssize_t j = 0; j < PySequence_Fast_GET_SIZE(offsets); j++) {
            Py_ssize_t end = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(offsets, j));
            if (end == -1 && PyErr_Occurred()) {
                Py_DECREF(offsets);
                goto done;
            }
            if (end < 0 || end > size) {
                Py_DECREF(offsets);
                PyErr_Format(PyExc_ValueError, "end offset %zd is outside the data (0..%zd)", end, size);
                goto done;
            }
            /* the line holding the match's last byte: the match may end one byte later, on the newline */
            Py_ssize_t last = (end > 0 && data[end - 1] == '\n') ? end - 1 : end;
            if (offsets_push(&lasts, last) < 0) {
                Py_DECREF(offsets);
                PyErr_NoMemory();
                goto done;
            }
        }
        Py_DECREF(offsets);
    }
    Py_ssize_t lines = 0;
    if (lasts.len > 0) {
        qsort(lasts.items, (size_t)lasts.len, sizeof(Py_ssize_t), compare_offsets);
        lines = 1;
        /* two positions are on one line when no newline lies between them */
        for (Py_ssize_t k = 1; k < lasts.len; k++) {
            Py_ssize_t a = lasts.items[k - 1], b = lasts.items[k];
            if (b > a && memchr(data + a, '\n', (size_t)(b - a)))
                lines++;
        }
    }
    result = PyLong_FromSsize_t(lines);
done:
    free(lasts.items);
    Py_XDECREF(per_keyword);
    PyBuffer_Release(&view);
    return result;
}

/* ------------------------------------------------------------------------------------------ places */

/* Where each direct mention sits (rule M5 in mindshare/scan/rules.py): in a URL, after the last References
 * heading, or in the body. Exactly `rules.places_in_python`, which is the reference (tests/test_scan_native.py
 * holds the two to the same answers on generated text); it is here because it runs once per match and papers
 * hold tens of matches: in Python that cost more than the scan itself. The counts are added up per contender
 * (`owners`: the contender index of each keyword; a keyword whose first word is None is an ecosystem term,
 * counted and not placed). */

static inline int is_space_byte(unsigned char c)
{
    /* bytes.isspace() */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

static inline unsigned char lower_byte(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static inline int is_letter_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int starts_nocase(const unsigned char *s, Py_ssize_t n, const char *word)
{
    Py_ssize_t i = 0;
    for (; word[i]; i++)
        if (i >= n || lower_byte(s[i]) != (unsigned char)word[i])
            return 0;
    return 1;
}

static int contains_nocase(const unsigned char *s, Py_ssize_t n, const char *word)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (starts_nocase(s + i, n - i, word))
            return 1;
    return 0;
}

/* rules._URL_HINT.search(token): '://' | 'www.' | '.' TLD ('/' | end) | ^[\w.-]+\.[a-z]{2,}/ (case-insensitive;
 * '$' also matches before a final '\n', as Python's does) */
static int url_hint(const unsigned char *t, Py_ssize_t n)
{
    static const char *tlds[] = {"com", "org", "io", "net", "edu", "ai", "dev", "gov", NULL};
    if (contains_nocase(t, n, "://") || contains_nocase(t, n, "www."))
        return 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (t[i] != '.')
            continue;
        for (int k = 0; tlds[k]; k++) {
            Py_ssize_t after = i + 1 + (Py_ssize_t)strlen(tlds[k]);
            if (!starts_nocase(t + i + 1, n - i - 1, tlds[k]))
                continue;
            if (after == n || t[after] == '/' || (after == n - 1 && t[after] == '\n'))
                return 1;
        }
    }
    /* ^[\w.-]+\.[a-z]{2,}/ : everything before the first byte outside [\w.-] must end in '.' + 2 or more
     * letters, with something before the '.', and that first byte must be '/' */
    Py_ssize_t p = 0;
    while (p < n && (is_word_byte(t[p]) || t[p] == '.' || t[p] == '-'))
        p++;
    if (p < n && t[p] == '/') {
        Py_ssize_t letters = 0;
        while (letters < p && is_letter_byte(t[p - 1 - letters]))
            letters++;
        Py_ssize_t dot = p - letters - 1;
        if (letters >= 2 && dot >= 1 && t[dot] == '.')
            return 1;
    }
    return 0;
}

/* rules.in_url(data, start, end): the whitespace-free run around the match, joined with the run before when
 * that ends with '/' (at most 3 whitespace bytes between: a URL broken at a line end) */
static int in_url(const unsigned char *d, Py_ssize_t size, Py_ssize_t start, Py_ssize_t end, int *failed)
{
    Py_ssize_t left = start, right = end;
    while (left > 0 && !is_space_byte(d[left - 1]))
        left--;
    while (right < size && !is_space_byte(d[right]))
        right++;
    Py_ssize_t probe = left;
    while (probe > 0 && is_space_byte(d[probe - 1]))
        probe--;
    if (probe > 0 && d[probe - 1] == '/' && left - probe <= 3) {
        Py_ssize_t prev = probe - 1;
        while (prev > 0 && !is_space_byte(d[prev - 1]))
            prev--;
        Py_ssize_t a = probe - prev, b = right - left;
        unsigned char *joined = malloc((size_t)(a + b + 1));
        if (!joined) {
            *failed = 1;
            return 0;
        }
        memcpy(joined, d + prev, (size_t)a);
        memcpy(joined + a, d + left, (size_t)b);
        int hint = url_hint(joined, a + b);
        free(joined);
        return hint;
    }
    return url_hint(d + left, right - left);
}

/* rules._match_start: the last occurrence (any case) of the phrase's first word in the 64 + len(phrase) bytes
 * before the match's end, or the start of that window */
static Py_ssize_t match_start(const unsigned char *d, Py_ssize_t end, const unsigned char *first, Py_ssize_t flen,
                              Py_ssize_t span)
{
    Py_ssize_t low = end - span - 64;
    if (low < 0)
        low = 0;
    for (Py_ssize_t i = end - flen; i >= low; i--) {
        Py_ssize_t j = 0;
        while (j < flen && lower_byte(d[i + j]) == first[j])
            j++;
        if (j == flen)
            return i;
    }
    return low;
}

static PyObject *places(PyObject *module, PyObject *args)
{
    (void)module;
    Py_buffer view;
    PyObject *ends_arg, *firsts_arg, *spans_arg, *owners_arg;
    Py_ssize_t owner_count, refs;
    if (!PyArg_ParseTuple(args, "y*OOOOnn:places", &view, &ends_arg, &firsts_arg, &spans_arg, &owners_arg,
                          &owner_count, &refs))
        return NULL;
    const unsigned char *d = view.buf;
    Py_ssize_t size = view.len;
    PyObject *out = NULL, *ends = NULL, *firsts = NULL, *spans = NULL, *owners = NULL;
    long long *totals = NULL; /* per owner: direct, ecosystem, body, url, references */
    ends = PySequence_Fast(ends_arg, "ends must be a sequence of sequences of ints");
    firsts = ends ? PySequence_Fast(firsts_arg, "first_words must be a sequence of bytes or None") : NULL;
    spans = firsts ? PySequence_Fast(spans_arg, "spans must be a sequence of ints") : NULL;
    owners = spans ? PySequence_Fast(owners_arg, "owners must be a sequence of ints") : NULL;
    if (!owners)
        goto done;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(firsts);
    if (PySequence_Fast_GET_SIZE(ends) < count || PySequence_Fast_GET_SIZE(spans) != count
        || PySequence_Fast_GET_SIZE(owners) != count || owner_count < 0) {
        PyErr_SetString(PyExc_ValueError, "first_words, spans and owners differ in length, or ends is shorter");
        goto done;
    }
    totals = calloc((size_t)(owner_count ? owner_count : 1) * 5, sizeof(long long));
    if (!totals) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *list = PySequence_Fast_GET_ITEM(ends, i);
        Py_ssize_t hits = PySequence_Length(list);
        if (hits < 0)
            goto done;
        if (hits == 0)
            continue;
        Py_ssize_t owner = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(owners, i));
        if (owner == -1 && PyErr_Occurred())
            goto done;
        if (owner < 0 || owner >= owner_count) {
            PyErr_Format(PyExc_ValueError, "owner %zd of keyword %zd is outside 0..%zd", owner, i, owner_count - 1);
            goto done;
        }
        long long *mine = totals + owner * 5;
        PyObject *first = PySequence_Fast_GET_ITEM(firsts, i);
        if (first == Py_None) { /* an ecosystem term: counted, not placed */
            mine[1] += hits;
            continue;
        }
        if (!PyBytes_Check(first) || PyBytes_GET_SIZE(first) == 0) {
            PyErr_Format(PyExc_TypeError, "first word %zd is not non-empty bytes", i);
            goto done;
        }
        Py_ssize_t span = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(spans, i));
        if (span == -1 && PyErr_Occurred())
            goto done;
        PyObject *offsets = PySequence_Fast(list, "ends must hold sequences of ints");
        if (!offsets)
            goto done;
        int failed = 0;
        mine[0] += hits;
        for (Py_ssize_t j = 0; j < hits; j++) {
            Py_ssize_t end = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(offsets, j));
            if (end == -1 && PyErr_Occurred()) {
                failed = 1;
                break;
            }
            if (end < 0 || end > size) {
                PyErr_Format(PyExc_ValueError, "end offset %zd is outside the data (0..%zd)", end, size);
                failed = 1;
                break;
            }
            Py_ssize_t start = match_start(d, end, (const unsigned char *)PyBytes_AS_STRING(first),
                                           PyBytes_GET_SIZE(first), span);
            int no_memory = 0;
            if (in_url(d, size, start, end, &no_memory))
                mine[3]++;
            else if (no_memory) {
                PyErr_NoMemory();
                failed = 1;
                break;
            } else if (refs >= 0 && start > refs)
                mine[4]++;
            else
                mine[2]++;
        }
        Py_DECREF(offsets);
        if (failed)
            goto done;
    }
    PyObject *direct = PyList_New(owner_count), *ecosystem = PyList_New(owner_count),
             *where = PyList_New(owner_count);
    if (direct && ecosystem && where) {
        for (Py_ssize_t k = 0; k < owner_count; k++) {
            long long *mine = totals + k * 5;
            PyList_SET_ITEM(direct, k, PyLong_FromLongLong(mine[0]));
            PyList_SET_ITEM(ecosystem, k, PyLong_FromLongLong(mine[1]));
            if (mine[0])
                PyList_SET_ITEM(where, k, Py_BuildValue("(LLL)", mine[2], mine[3], mine[4]));
            else {
                Py_INCREF(Py_None);
                PyList_SET_ITEM(where, k, Py_None);
            }
        }
        if (!PyErr_Occurred())
            out = PyTuple_Pack(3, direct, ecosystem, where);
    }
    Py_XDECREF(direct);
    Py_XDECREF(ecosystem);
    Py_XDECREF(where);
done:
    free(totals);
    Py_XDECREF(ends);
    Py_XDECREF(firsts);
    Py_XDECREF(spans);
    Py_XDECREF(owners);
    PyBuffer_Release(&view);
    return out;
}

/* ------------------------------------------------------------------------------------------ needs_repair */

/* Exactly `extract.needs_repair_in_python`: whether the text repairs could change these bytes (a byte >= 0x80,
 * CR, U+0002, or a '-' that only blanks separate from the next LF). One pass without branches, which the
 * compiler turns into vector instructions (tens of bytes per cycle); only a text with blanks before a line end
 * is looked at again, line by line. */

#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE __attribute__((optimize("O3")))
#else
#define VECTORISE
#endif

VECTORISE static unsigned char repair_signs(const unsigned char *d, Py_ssize_t n, unsigned char *blank_before_lf)
{
    unsigned char special = 0, hyphen_lf = 0, blank_lf = 0;
    if (n > 0)
        special = (d[0] >= 0x80) | (d[0] == '\r') | (d[0] == 0x02);
    for (Py_ssize_t i = 1; i < n; i++) {
        unsigned char c = d[i], before = d[i - 1];
        special |= (c >= 0x80) | (c == '\r') | (c == 0x02);
        hyphen_lf |= (c == '\n') & (before == '-');
        blank_lf |= (c == '\n') & ((before == ' ') | (before == '\t'));
    }
    *blank_before_lf = blank_lf;
    return special | hyphen_lf;
}

static int hyphen_then_blanks_then_lf(const unsigned char *d, Py_ssize_t n)
{
    const unsigned char *p = d, *end = d + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        const unsigned char *q = p;
        while (q > d && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
        if (q > d && q[-1] == '-')
            return 1;
        p++;
    }
    return 0;
}

static PyObject *needs_repair(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    int found;
    Py_BEGIN_ALLOW_THREADS
    unsigned char blank_before_lf = 0;
    found = repair_signs(view.buf, view.len, &blank_before_lf);
    if (!found && blank_before_lf)
        found = hyphen_then_blanks_then_lf(view.buf, view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

/* ------------------------------------------------------------------------------------------ module */

static PyObject *hyperscan_version(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyUnicode_FromString(hs_version());
}

static PyMethodDef module_methods[] = {
    {"matching_lines", matching_lines, METH_VARARGS,
     "matching_lines(data, ends) -> lines holding at least one match (rg -c semantics)"},
    {"needs_repair", needs_repair, METH_O,
     "needs_repair(data) -> whether the text repairs could change these bytes"},
    {"places", places, METH_VARARGS,
     "places(data, ends, first_words, spans, owners, owner_count, refs) -> per owner: (direct counts, "
     "ecosystem counts, (body, url, references) or None)"},
    {"hyperscan_version", hyperscan_version, METH_NOARGS, "the version of the libhs this module is linked with"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mindshare.scan._native",
    .m_doc = "hyperscan's C API with whole-word checks in C (see the comment at the top of _native.c)",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__native(void)
{
    if (hs_valid_platform() != HS_SUCCESS) {
        PyErr_SetString(PyExc_ImportError, "this CPU lacks the instructions libhs needs (SSSE3)");
        return NULL;
    }
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_definition);
    if (!module)
        return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(module, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
