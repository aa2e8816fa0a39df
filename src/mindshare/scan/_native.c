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
 *   Scanner.tally(data, ...) -> per contender, its direct and ecosystem counts and where its direct mentions
 *                   sit (rules.places_in_python, references_from_hits and the repair signs, in one pass).
 *   needs_repair(data) -> whether the text repairs could change the bytes (extract.needs_repair_in_python).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <hs.h>
#include <stdatomic.h>
#include <stdint.h>
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

/* The whole-word conditions of a literal of `length` bytes that ended at `to`; on success *end is where the
 * match ends (after any digits, and the one non-word byte that closes it, as the regex form would end). */
static int whole_word(const unsigned char *data, size_t size, Py_ssize_t length, size_t to, size_t *end)
{
    *end = to;
    if (length <= 0)
        return 1;
    size_t start = to - (size_t)length;
    if (start > 0 && is_word_byte(data[start - 1]))
        return 0;
    while (*end < size && is_digit_byte(data[*end]))
        (*end)++;
    if (*end < size) {
        if (is_word_byte(data[*end]))
            return 0;
        (*end)++;
    }
    return 1;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                    void *context)
{
    (void)from;
    (void)flags;
    ScanState *state = context;
    size_t end;
    if (!whole_word(state->data, state->size, state->word_lengths[id], (size_t)to, &end))
        return 0;
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

/* hs_scan over a buffer with the GIL released, on the scanner's scratch space or, when another thread holds
 * it, on one of its own. 0, or -1 with a Python error set. */
static int run_scan(Scanner *self, const Py_buffer *view, match_event_handler handler, void *context,
                    const int *out_of_memory)
{
    if (!self->db || view->len == 0)
        return 0;
    if ((unsigned long long)view->len > 0xffffffffULL) {
        PyErr_SetString(PyExc_ValueError, "hyperscan scans at most 4 GiB in one call");
        return -1;
    }
    hs_scratch_t *scratch = self->scratch, *own = NULL;
    if (atomic_flag_test_and_set(&self->scratch_busy)) {
        if (hs_alloc_scratch(self->db, &own) != HS_SUCCESS) {
            PyErr_NoMemory();
            return -1;
        }
        scratch = own;
    }
    hs_error_t status;
    Py_BEGIN_ALLOW_THREADS
    status = hs_scan(self->db, view->buf, (unsigned int)view->len, 0, scratch, handler, context);
    Py_END_ALLOW_THREADS
    if (own)
        hs_free_scratch(own);
    else
        atomic_flag_clear(&self->scratch_busy);
    if (*out_of_memory) {
        PyErr_NoMemory();
        return -1;
    }
    if (status != HS_SUCCESS && status != HS_SCAN_TERMINATED) {
        PyErr_Format(PyExc_RuntimeError, "hyperscan scan failed with status %d", (int)status);
        return -1;
    }
    return 0;
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
    ScanState state = {view.buf, (size_t)view.len, self->word_lengths, ends, 0};
    if (run_scan(self, &view, on_match, &state, &state.out_of_memory) == 0)
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

/* rules._HEADING_LINE.fullmatch(line): [ \t#*]* (digits '.'? | [IVX]+ '.')? [ \t]* one of the heading words
 * [ \t:*]*, any case. The parts cannot trade characters (a heading word starts with none of 0-9 I V X), so
 * reading it left to right without going back is exact. */
static int heading_line(const unsigned char *p, const unsigned char *e)
{
    static const char *words[] = {"references", "bibliography", "literature cited", "works cited", NULL};
    while (p < e && (*p == ' ' || *p == '\t' || *p == '#' || *p == '*'))
        p++;
    if (p < e && is_digit_byte(*p)) {
        while (p < e && is_digit_byte(*p))
            p++;
        if (p < e && *p == '.')
            p++;
    } else if (p < e && strchr("IVXivx", *p) && *p) {
        while (p < e && *p && strchr("IVXivx", *p))
            p++;
        if (p < e && *p == '.')
            p++;
        else
            return 0;
    }
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    int found = 0;
    for (int k = 0; words[k] && !found; k++)
        if (starts_nocase(p, e - p, words[k])) {
            p += strlen(words[k]);
            found = 1;
        }
    if (!found)
        return 0;
    while (p < e && (*p == ' ' || *p == '\t' || *p == ':' || *p == '*'))
        p++;
    return p == e;
}

typedef struct {
    uint32_t start;
    uint32_t owner;
} Placed;

typedef struct {
    const unsigned char *data;
    size_t size;
    const Py_ssize_t *word_lengths;
    const unsigned char **firsts; /* per keyword: its first word (lower case), NULL for an ecosystem term */
    const Py_ssize_t *first_lengths, *spans, *owners;
    Py_ssize_t keywords, headings_end;
    long long *totals; /* per owner: direct, ecosystem, url */
    Placed *placed;    /* direct mentions outside URLs: body or references, once the last heading is known */
    size_t placed_len, placed_cap;
    Py_ssize_t last_heading;
    int sign, out_of_memory;
} TallyState;

static int on_tally(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                    void *context)
{
    (void)from;
    (void)flags;
    TallyState *state = context;
    size_t end = (size_t)to;
    if ((Py_ssize_t)id >= state->headings_end) { /* a repair sign */
        state->sign = 1;
        return 0;
    }
    if ((Py_ssize_t)id >= state->keywords) { /* a heading word: is its line a References heading? */
        Py_ssize_t last = (Py_ssize_t)end - 1, line_start = last, line_end = last;
        while (line_start > 0 && state->data[line_start - 1] != '\n')
            line_start--;
        while ((size_t)line_end < state->size && state->data[line_end] != '\n')
            line_end++;
        if (line_start > state->last_heading
            && heading_line(state->data + line_start, state->data + line_end))
            state->last_heading = line_start;
        return 0;
    }
    if (!whole_word(state->data, state->size, state->word_lengths[id], (size_t)to, &end))
        return 0;
    long long *mine = state->totals + state->owners[id] * 3;
    if (!state->firsts[id]) {
        mine[1]++;
        return 0;
    }
    mine[0]++;
    Py_ssize_t start = match_start(state->data, (Py_ssize_t)end, state->firsts[id], state->first_lengths[id],
                                   state->spans[id]);
    int no_memory = 0;
    if (in_url(state->data, (Py_ssize_t)state->size, start, (Py_ssize_t)end, &no_memory)) {
        mine[2]++;
        return 0;
    }
    if (no_memory || (state->placed_len == state->placed_cap
                      && !(state->placed_cap = state->placed_cap ? state->placed_cap * 2 : 64,
                           state->placed = realloc(state->placed, state->placed_cap * sizeof(Placed))))) {
        state->out_of_memory = 1;
        return 1;
    }
    state->placed[state->placed_len++] = (Placed){(uint32_t)start, (uint32_t)state->owners[id]};
    return 0;
}

/* Scanner.tally(data, first_words, spans, owners, owner_count, keywords, headings_end): one pass that does what
 * rules.MindshareRules does in Python with scan() and places_in_python(): per contender its direct and
 * ecosystem counts and where the direct mentions sit, without building a list of offsets. Expressions
 * [0, keywords) are the keywords, [keywords, headings_end) the heading words, the rest repair signs.
 * Returns (direct, ecosystem, where, last heading's line start or -1, whether a repair sign was seen). */
static PyObject *Scanner_tally(Scanner *self, PyObject *args)
{
    Py_buffer view;
    PyObject *firsts_arg, *spans_arg, *owners_arg;
    Py_ssize_t owner_count, keywords, headings_end;
    if (!PyArg_ParseTuple(args, "y*OOOnnn:tally", &view, &firsts_arg, &spans_arg, &owners_arg, &owner_count,
                          &keywords, &headings_end))
        return NULL;
    PyObject *out = NULL, *firsts = NULL, *spans = NULL, *owners = NULL;
    TallyState state = {0};
    state.data = view.buf;
    state.size = (size_t)view.len;
    state.word_lengths = self->word_lengths;
    state.keywords = keywords;
    state.headings_end = headings_end;
    state.last_heading = -1;
    firsts = PySequence_Fast(firsts_arg, "first_words must be a sequence of bytes or None");
    spans = firsts ? PySequence_Fast(spans_arg, "spans must be a sequence of ints") : NULL;
    owners = spans ? PySequence_Fast(owners_arg, "owners must be a sequence of ints") : NULL;
    if (!owners)
        goto done;
    if (PySequence_Fast_GET_SIZE(firsts) != keywords || PySequence_Fast_GET_SIZE(spans) != keywords
        || PySequence_Fast_GET_SIZE(owners) != keywords || keywords > headings_end || headings_end > self->count
        || owner_count < 0 || (unsigned long long)view.len > 0xffffffffULL) {
        PyErr_SetString(PyExc_ValueError, "tally: first_words, spans and owners must have one entry per keyword, "
                        "keywords <= headings_end <= expressions, and the data at most 4 GiB");
        goto done;
    }
    state.firsts = calloc((size_t)(keywords ? keywords : 1), sizeof(unsigned char *));
    Py_ssize_t *numbers = calloc((size_t)(keywords ? keywords : 1) * 3, sizeof(Py_ssize_t));
    state.totals = calloc((size_t)(owner_count ? owner_count : 1) * 3, sizeof(long long));
    if (!state.firsts || !numbers || !state.totals) {
        free(numbers);
        PyErr_NoMemory();
        goto done;
    }
    state.first_lengths = numbers;
    state.spans = numbers + keywords;
    state.owners = numbers + 2 * keywords;
    for (Py_ssize_t i = 0; i < keywords; i++) {
        PyObject *first = PySequence_Fast_GET_ITEM(firsts, i);
        if (first != Py_None) {
            if (!PyBytes_Check(first) || PyBytes_GET_SIZE(first) == 0) {
                PyErr_Format(PyExc_TypeError, "first word %zd is not non-empty bytes", i);
                goto done;
            }
            state.firsts[i] = (const unsigned char *)PyBytes_AS_STRING(first);
            numbers[i] = PyBytes_GET_SIZE(first);
        }
        numbers[keywords + i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(spans, i));
        numbers[2 * keywords + i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(owners, i));
        if (PyErr_Occurred())
            goto done;
        if (numbers[2 * keywords + i] < 0 || numbers[2 * keywords + i] >= owner_count) {
            PyErr_Format(PyExc_ValueError, "owner of keyword %zd is outside 0..%zd", i, owner_count - 1);
            goto done;
        }
    }
    if (run_scan(self, &view, on_tally, &state, &state.out_of_memory) < 0)
        goto done;
    long long *where_counts = calloc((size_t)(owner_count ? owner_count : 1) * 2, sizeof(long long));
    if (!where_counts) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t k = 0; k < state.placed_len; k++) {
        Placed *one = &state.placed[k];
        where_counts[one->owner * 2 + (state.last_heading >= 0 && (Py_ssize_t)one->start > state.last_heading)]++;
    }
    PyObject *direct = PyList_New(owner_count), *ecosystem = PyList_New(owner_count),
             *where = PyList_New(owner_count);
    if (direct && ecosystem && where) {
        for (Py_ssize_t k = 0; k < owner_count; k++) {
            long long *mine = state.totals + k * 3;
            PyList_SET_ITEM(direct, k, PyLong_FromLongLong(mine[0]));
            PyList_SET_ITEM(ecosystem, k, PyLong_FromLongLong(mine[1]));
            if (mine[0])
                PyList_SET_ITEM(where, k, Py_BuildValue("(LLL)", where_counts[k * 2], mine[2],
                                                        where_counts[k * 2 + 1]));
            else {
                Py_INCREF(Py_None);
                PyList_SET_ITEM(where, k, Py_None);
            }
        }
        if (!PyErr_Occurred())
            out = Py_BuildValue("(OOOnO)", direct, ecosystem, where, state.last_heading,
                                state.sign ? Py_True : Py_False);
    }
    Py_XDECREF(direct);
    Py_XDECREF(ecosystem);
    Py_XDECREF(where);
    free(where_counts);
done:
    free(state.firsts);
    free((void *)state.first_lengths);
    free(state.totals);
    free(state.placed);
    Py_XDECREF(firsts);
    Py_XDECREF(spans);
    Py_XDECREF(owners);
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_O,
     "scan(data) -> end offsets of every match, one list per expression"},
    {"tally", (PyCFunction)Scanner_tally, METH_VARARGS,
     "tally(data, first_words, spans, owners, owner_count, keywords, headings_end) -> (direct, ecosystem, "
     "where, last heading or -1, repair sign seen)"},
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
