/*
 * mindshare.scan._native: the scan's hot path in C. hyperscan's C API with the whole-word checks at each hit, the
 * text repairs, and a batch of text files read, hashed, repaired, matched and written out as rows here, so that a
 * document costs microseconds of C instead of a Python call per match, per repair or per row.
 *
 * Everything here computes exactly what a Python reference computes (tests/test_scan_native.py holds each pair to
 * the same answers on generated text, and bench/scan.py on every document of its corpus):
 *
 *   Scanner(expressions, word_lengths, rests=None)
 *     expressions   hyperscan expressions (bytes), compiled case-insensitively, ids 0..n-1
 *     word_lengths  per expression: 0, or the byte length L of a literal keyword whose whole-word conditions
 *                   are checked here rather than in the expression (hyperscan runs its fast literal engines on
 *                   plain literals, its automata on look-arounds). A literal that ended at `end` is a match when
 *                   the byte before `end - L` is not a word byte ([A-Za-z0-9_]), and after any digits that
 *                   follow it comes the end of the data or a byte that is not a word byte; the match then
 *                   ends after that byte (or at the end of the data), as `\bLITERAL(?:[0-9]*[^a-zA-Z0-9_]|[0-9]*\z)`
 *                   would end.
 *     rests         per expression: None, or the further words of a phrase (lower case, one space apart) whose
 *                   literal first word the expression is: each must follow a run of whitespace, as `\s+` in the
 *                   phrase's regex form (match.hyperscan_expression); the conditions above then apply after the
 *                   last word. A phrase is found from its first word's literal, so no automaton is compiled.
 *   Scanner.scan(data) -> list of lists of end offsets, one list per expression, in order of the data
 *                   (match.Matcher).
 *   matching_lines(data, ends) -> how many lines hold at least one match (what `rg -c` counts), a match's line
 *                   being the one holding its last byte, or the byte before when that last byte is '\n'.
 *   Scanner.tally(data, ...) -> per contender, its direct and ecosystem counts and where its direct mentions
 *                   sit (rules.places_in_python and references_from_hits, in one pass).
 *   needs_repair(data) -> whether the text repairs could change the bytes (extract.needs_repair_in_python).
 *   utf8_probe(data) -> (characters, replaced) of data.decode("utf-8", errors="replace") (extract.utf8_reason).
 *   Repairer(keep, nfkc, stable, casefolded_keep).repair(data) -> the repaired text (extract.repair_text on
 *                   the decoded bytes, encoded again): NFKC only around bytes >= 0x80, joins at line ends.
 *   list_folder(folder, documents, pdfs, archives) -> the folder's documents, archives and subfolders in name
 *                   order, each as its path and a kind (corpus.listings).
 *   TextBatch(...).run(paths, lines) -> a batch of text files as the mindshare rules count them, as store
 *                   rows and --json lines (runner.scan_file and runner.json_line, document by document).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hs.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static inline int is_digit_byte(unsigned char c) { return c >= '0' && c <= '9'; }

static inline int is_space_byte(unsigned char c)
{
    /* bytes.isspace(), and hyperscan's \s without Unicode properties */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

static inline unsigned char lower_byte(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static inline int is_letter_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* ------------------------------------------------------------------------------------------ growable arrays */

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

typedef struct {
    unsigned char *p;
    size_t len, cap;
} Buf;

static int buf_reserve(Buf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_add(Buf *b, const void *data, size_t size)
{
    if (buf_reserve(b, size) < 0)
        return -1;
    memcpy(b->p + b->len, data, size);
    b->len += size;
    return 0;
}

static int buf_str(Buf *b, const char *text) { return buf_add(b, text, strlen(text)); }

static int buf_int(Buf *b, long long value)
{
    char digits[24];
    int n = sizeof digits;
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[--n] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0)
        digits[--n] = '-';
    return buf_add(b, digits + n, sizeof digits - (size_t)n);
}


/* ------------------------------------------------------------------------------------------ Scanner */

typedef struct {
    PyObject_HEAD
    hs_database_t *db;        /* NULL when there are no expressions */
    hs_scratch_t *scratch;    /* the scanner's own scratch space, used by one scan at a time */
    atomic_flag scratch_busy; /* a second thread scanning at the same time allocates its own */
    Py_ssize_t count;
    Py_ssize_t *word_lengths;
    unsigned char **rests;    /* per expression: NULL, or a phrase's further words */
    Py_ssize_t *rest_lengths;
} Scanner;

typedef struct {
    const unsigned char *data;
    size_t size;
    const Scanner *scanner;
    Offsets *ends;
    int out_of_memory;
} ScanState;

/* The conditions of a keyword whose literal (first word) ended at `to`: a phrase's further words, each after a
 * run of whitespace; then, for a whole word (`length` > 0, the literal's byte length), no word byte before it
 * and, after any digits, the end of the data or one byte that is not a word byte, which the match takes. On
 * success *end is where the match ends, as the regex forms end. */
static int keyword_at(const unsigned char *data, size_t size, const Scanner *scanner, unsigned int id, size_t to,
                      size_t *end)
{
    Py_ssize_t length = scanner->word_lengths[id];
    if (length > 0) {
        size_t start = to - (size_t)length;
        if (start > 0 && is_word_byte(data[start - 1]))
            return 0;
    }
    size_t p = to;
    const unsigned char *rest = scanner->rests ? scanner->rests[id] : NULL;
    if (rest) {
        Py_ssize_t n = scanner->rest_lengths[id], i = 0;
        while (i < n) {
            if (p >= size || !is_space_byte(data[p]))
                return 0;
            while (p < size && is_space_byte(data[p]))
                p++;
            for (; i < n && rest[i] != ' '; i++, p++)
                if (p >= size || lower_byte(data[p]) != rest[i])
                    return 0;
            if (i < n)
                i++; /* the one space between two words */
        }
    }
    *end = p;
    if (length <= 0)
        return 1;
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
    if (!keyword_at(state->data, state->size, state->scanner, id, (size_t)to, &end))
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
    if (self->rests)
        for (Py_ssize_t i = 0; i < self->count; i++)
            free(self->rests[i]);
    free(self->rests);
    free(self->rest_lengths);
    free(self->word_lengths);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Scanner_init(Scanner *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"expressions", "word_lengths", "rests", NULL};
    PyObject *expressions_arg, *lengths_arg, *rests_arg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O", keywords, &expressions_arg, &lengths_arg, &rests_arg))
        return -1;
    if (self->db || self->word_lengths) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner is already initialised");
        return -1;
    }
    PyObject *expressions = PySequence_Fast(expressions_arg, "expressions must be a sequence of bytes");
    if (!expressions)
        return -1;
    PyObject *lengths = PySequence_Fast(lengths_arg, "word_lengths must be a sequence of ints");
    PyObject *rests = rests_arg == Py_None ? NULL : PySequence_Fast(rests_arg, "rests must be a sequence");
    int result = -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(expressions);
    const char **patterns = NULL;
    unsigned int *flags = NULL, *ids = NULL;
    if (!lengths || (rests_arg != Py_None && !rests))
        goto done;
    if (PySequence_Fast_GET_SIZE(lengths) != count || (rests && PySequence_Fast_GET_SIZE(rests) != count)) {
        PyErr_SetString(PyExc_ValueError, "expressions and word_lengths (and rests) differ in length");
        goto done;
    }
    size_t slots = (size_t)(count ? count : 1);
    self->count = count;
    self->word_lengths = calloc(slots, sizeof(Py_ssize_t));
    self->rests = calloc(slots, sizeof(unsigned char *));
    self->rest_lengths = calloc(slots, sizeof(Py_ssize_t));
    patterns = calloc(slots, sizeof(char *));
    flags = calloc(slots, sizeof(unsigned int));
    ids = calloc(slots, sizeof(unsigned int));
    if (!self->word_lengths || !self->rests || !self->rest_lengths || !patterns || !flags || !ids) {
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
        PyObject *rest = rests ? PySequence_Fast_GET_ITEM(rests, i) : Py_None;
        if (rest != Py_None) {
            if (!PyBytes_Check(rest) || PyBytes_GET_SIZE(rest) == 0) {
                PyErr_Format(PyExc_TypeError, "rest %zd is not None or non-empty bytes", i);
                goto done;
            }
            Py_ssize_t n = PyBytes_GET_SIZE(rest);
            self->rests[i] = malloc((size_t)n);
            if (!self->rests[i]) {
                PyErr_NoMemory();
                goto done;
            }
            for (Py_ssize_t k = 0; k < n; k++)
                self->rests[i][k] = lower_byte((unsigned char)PyBytes_AS_STRING(rest)[k]);
            self->rest_lengths[i] = n;
        }
        flags[i] = HS_FLAG_CASELESS;
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
    Py_XDECREF(lengths);
    Py_XDECREF(rests);
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
static int run_scan(Scanner *self, const void *data, Py_ssize_t size, match_event_handler handler, void *context,
                    const int *out_of_memory)
{
    if (!self->db || size == 0)
        return 0;
    if ((unsigned long long)size > 0xffffffffULL) {
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
    status = hs_scan(self->db, data, (unsigned int)size, 0, scratch, handler, context);
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
    ScanState state = {view.buf, (size_t)view.len, self, ends, 0};
    if (run_scan(self, view.buf, view.len, on_match, &state, &state.out_of_memory) == 0)
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


/* ------------------------------------------------------------------------------------------ tally */

/* What one pass over a document counts for the mindshare rules (rules.MindshareRules._tally): expressions
 * [0, keywords) are the keywords, [keywords, headings_end) the References heading words. `owners`: the contender
 * index of each keyword; a keyword whose first word is NULL is an ecosystem term, counted and not placed. */
typedef struct {
    Py_ssize_t keywords, headings_end, owner_count;
    const unsigned char **firsts; /* per keyword: its first word (lower case), NULL for an ecosystem term */
    Py_ssize_t *first_lengths, *spans, *owners;
    PyObject *first_words;        /* keeps the first words' bytes alive */
} TallyPlan;

static void plan_clear(TallyPlan *plan)
{
    free((void *)plan->firsts);
    free(plan->first_lengths);
    Py_CLEAR(plan->first_words);
    memset(plan, 0, sizeof *plan);
}

static int plan_init(TallyPlan *plan, const Scanner *scanner, PyObject *firsts_arg, PyObject *spans_arg,
                     PyObject *owners_arg, Py_ssize_t owner_count, Py_ssize_t keywords, Py_ssize_t headings_end)
{
    memset(plan, 0, sizeof *plan);
    PyObject *firsts = PySequence_Fast(firsts_arg, "first_words must be a sequence of bytes or None");
    PyObject *spans = firsts ? PySequence_Fast(spans_arg, "spans must be a sequence of ints") : NULL;
    PyObject *owners = spans ? PySequence_Fast(owners_arg, "owners must be a sequence of ints") : NULL;
    int result = -1;
    if (!owners)
        goto done;
    if (PySequence_Fast_GET_SIZE(firsts) != keywords || PySequence_Fast_GET_SIZE(spans) != keywords
        || PySequence_Fast_GET_SIZE(owners) != keywords || keywords > headings_end
        || headings_end > scanner->count || owner_count < 0) {
        PyErr_SetString(PyExc_ValueError, "tally: first_words, spans and owners must have one entry per keyword, "
                        "and keywords <= headings_end <= expressions");
        goto done;
    }
    size_t slots = (size_t)(keywords ? keywords : 1);
    plan->keywords = keywords;
    plan->headings_end = headings_end;
    plan->owner_count = owner_count;
    plan->firsts = calloc(slots, sizeof(unsigned char *));
    plan->first_lengths = calloc(slots * 3, sizeof(Py_ssize_t));
    if (!plan->firsts || !plan->first_lengths) {
        PyErr_NoMemory();
        goto done;
    }
    plan->spans = plan->first_lengths + keywords;
    plan->owners = plan->first_lengths + 2 * keywords;
    for (Py_ssize_t i = 0; i < keywords; i++) {
        PyObject *first = PySequence_Fast_GET_ITEM(firsts, i);
        if (first != Py_None) {
            if (!PyBytes_Check(first) || PyBytes_GET_SIZE(first) == 0) {
                PyErr_Format(PyExc_TypeError, "first word %zd is not non-empty bytes", i);
                goto done;
            }
            plan->firsts[i] = (const unsigned char *)PyBytes_AS_STRING(first);
            plan->first_lengths[i] = PyBytes_GET_SIZE(first);
        }
        plan->spans[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(spans, i));
        plan->owners[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(owners, i));
        if (PyErr_Occurred())
            goto done;
        if (plan->owners[i] < 0 || plan->owners[i] >= owner_count) {
            PyErr_Format(PyExc_ValueError, "owner of keyword %zd is outside 0..%zd", i, owner_count - 1);
            goto done;
        }
    }
    plan->first_words = firsts;
    Py_INCREF(firsts);
    result = 0;
done:
    Py_XDECREF(firsts);
    Py_XDECREF(spans);
    Py_XDECREF(owners);
    if (result < 0)
        plan_clear(plan);
    return result;
}

typedef struct {
    uint32_t start;
    uint32_t owner;
} Placed;

/* A document's counts: per contender (owner) its direct, ecosystem, url, body and references mentions. */
typedef struct {
    long long *counts; /* owner_count * 5 */
    Py_ssize_t last_heading;
} Counts;

enum { DIRECT, ECOSYSTEM, URL, BODY, REFERENCES, PER_OWNER };

typedef struct {
    const unsigned char *data;
    size_t size;
    const Scanner *scanner;
    const TallyPlan *plan;
    long long *counts;
    Placed *placed; /* direct mentions outside URLs: body or references, once the last heading is known */
    size_t placed_len, placed_cap;
    Py_ssize_t last_heading;
    int out_of_memory;
} TallyState;

static int on_tally(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                    void *context)
{
    (void)from;
    (void)flags;
    TallyState *state = context;
    const TallyPlan *plan = state->plan;
    size_t end;
    if ((Py_ssize_t)id >= plan->headings_end || !keyword_at(state->data, state->size, state->scanner, id,
                                                             (size_t)to, &end))
        return 0;
    if ((Py_ssize_t)id >= plan->keywords) { /* a heading word: is its line a References heading? */
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
    long long *mine = state->counts + plan->owners[id] * PER_OWNER;
    if (!plan->firsts[id]) {
        mine[ECOSYSTEM]++;
        return 0;
    }
    mine[DIRECT]++;
    Py_ssize_t start = match_start(state->data, (Py_ssize_t)end, plan->firsts[id], plan->first_lengths[id],
                                   plan->spans[id]);
    int no_memory = 0;
    if (in_url(state->data, (Py_ssize_t)state->size, start, (Py_ssize_t)end, &no_memory)) {
        mine[URL]++;
        return 0;
    }
    if (no_memory || (state->placed_len == state->placed_cap
                      && !(state->placed_cap = state->placed_cap ? state->placed_cap * 2 : 64,
                           state->placed = realloc(state->placed, state->placed_cap * sizeof(Placed))))) {
        state->out_of_memory = 1;
        return 1;
    }
    state->placed[state->placed_len++] = (Placed){(uint32_t)start, (uint32_t)plan->owners[id]};
    return 0;
}

/* One pass over `data`: `counts` (owner_count * PER_OWNER, zeroed here) and the last heading's line start (-1
 * without one). 0, or -1 with a Python error set. */
static int tally_core(Scanner *scanner, const TallyPlan *plan, const unsigned char *data, Py_ssize_t size,
                      long long *counts, Py_ssize_t *last_heading)
{
    TallyState state = {0};
    state.data = data;
    state.size = (size_t)size;
    state.scanner = scanner;
    state.plan = plan;
    state.counts = counts;
    state.last_heading = -1;
    memset(counts, 0, (size_t)plan->owner_count * PER_OWNER * sizeof(long long));
    int result = run_scan(scanner, data, size, on_tally, &state, &state.out_of_memory);
    if (result == 0) {
        for (size_t k = 0; k < state.placed_len; k++) {
            Placed *one = &state.placed[k];
            int after = state.last_heading >= 0 && (Py_ssize_t)one->start > state.last_heading;
            counts[one->owner * PER_OWNER + (after ? REFERENCES : BODY)]++;
        }
        *last_heading = state.last_heading;
    }
    free(state.placed);
    return result;
}

/* Scanner.tally(data, first_words, spans, owners, owner_count, keywords, headings_end): one pass that does what
 * rules.MindshareRules does in Python with scan(), references_from_hits() and places_in_python(), without
 * building a list of offsets. Returns (direct, ecosystem, where, last heading's line start or -1), `where`
 * holding (body, url, references) per contender with a direct mention, else None. */
static PyObject *Scanner_tally(Scanner *self, PyObject *args)
{
    Py_buffer view;
    PyObject *firsts_arg, *spans_arg, *owners_arg;
    Py_ssize_t owner_count, keywords, headings_end;
    if (!PyArg_ParseTuple(args, "y*OOOnnn:tally", &view, &firsts_arg, &spans_arg, &owners_arg, &owner_count,
                          &keywords, &headings_end))
        return NULL;
    PyObject *out = NULL, *direct = NULL, *ecosystem = NULL, *where = NULL;
    long long *counts = NULL;
    TallyPlan plan;
    if (plan_init(&plan, self, firsts_arg, spans_arg, owners_arg, owner_count, keywords, headings_end) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    counts = calloc((size_t)(owner_count ? owner_count : 1) * PER_OWNER, sizeof(long long));
    Py_ssize_t last_heading = -1;
    if (!counts) {
        PyErr_NoMemory();
        goto done;
    }
    if (tally_core(self, &plan, view.buf, view.len, counts, &last_heading) < 0)
        goto done;
    direct = PyList_New(owner_count);
    ecosystem = PyList_New(owner_count);
    where = PyList_New(owner_count);
    if (!direct || !ecosystem || !where)
        goto done;
    for (Py_ssize_t k = 0; k < owner_count; k++) {
        long long *mine = counts + k * PER_OWNER;
        PyList_SET_ITEM(direct, k, PyLong_FromLongLong(mine[DIRECT]));
        PyList_SET_ITEM(ecosystem, k, PyLong_FromLongLong(mine[ECOSYSTEM]));
        if (mine[DIRECT])
            PyList_SET_ITEM(where, k, Py_BuildValue("(LLL)", mine[BODY], mine[URL], mine[REFERENCES]));
        else {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(where, k, Py_None);
        }
    }
    if (!PyErr_Occurred())
        out = Py_BuildValue("(OOOn)", direct, ecosystem, where, last_heading);
done:
    Py_XDECREF(direct);
    Py_XDECREF(ecosystem);
    Py_XDECREF(where);
    free(counts);
    plan_clear(&plan);
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_O,
     "scan(data) -> end offsets of every match, one list per expression"},
    {"tally", (PyCFunction)Scanner_tally, METH_VARARGS,
     "tally(data, first_words, spans, owners, owner_count, keywords, headings_end) -> (direct, ecosystem, "
     "where, last heading or -1)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mindshare.scan._native.Scanner",
    .tp_doc = "Scanner(expressions, word_lengths, rests=None): a compiled hyperscan database with whole-word "
              "checks in C",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

/* ------------------------------------------------------------------------------------------ repair signs */

/* Which repair signs a text shows, in one pass: a byte >= 0x80, CR, U+0002, a '-' or a blank just before a LF.
 * Sixteen bytes at a time with SSE2 (every x86-64 has it), byte by byte elsewhere. */
enum { F_HIGH = 1, F_CR = 2, F_STX = 4, F_HYPHEN_LF = 8, F_BLANK_LF = 16 };

static unsigned flags_from(const unsigned char *d, Py_ssize_t from, Py_ssize_t n, unsigned flags)
{
    for (Py_ssize_t i = from; i < n; i++) {
        unsigned char c = d[i], before = i ? d[i - 1] : 0;
        flags |= (c >= 0x80 ? F_HIGH : 0) | (c == '\r' ? F_CR : 0) | (c == 0x02 ? F_STX : 0)
                 | (c == '\n' && before == '-' ? F_HYPHEN_LF : 0)
                 | (c == '\n' && (before == ' ' || before == '\t') ? F_BLANK_LF : 0);
    }
    return flags;
}

#ifdef __SSE2__
#include <immintrin.h>

static unsigned text_flags_sse2(const unsigned char *d, Py_ssize_t n)
{
    const __m128i cr_byte = _mm_set1_epi8('\r'), stx_byte = _mm_set1_epi8(2), lf_byte = _mm_set1_epi8('\n'),
                  hyphen = _mm_set1_epi8('-'), space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    __m128i high = _mm_setzero_si128(), cr = high, stx = high, hyphen_lf = high, blank_lf = high;
    Py_ssize_t i = 1;
    for (; i + 16 <= n; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(d + i)), before = _mm_loadu_si128((const __m128i *)(d + i - 1));
        __m128i lf = _mm_cmpeq_epi8(c, lf_byte);
        high = _mm_or_si128(high, c);
        cr = _mm_or_si128(cr, _mm_cmpeq_epi8(c, cr_byte));
        stx = _mm_or_si128(stx, _mm_cmpeq_epi8(c, stx_byte));
        hyphen_lf = _mm_or_si128(hyphen_lf, _mm_and_si128(lf, _mm_cmpeq_epi8(before, hyphen)));
        blank_lf = _mm_or_si128(blank_lf, _mm_and_si128(lf, _mm_or_si128(_mm_cmpeq_epi8(before, space),
                                                                           _mm_cmpeq_epi8(before, tab))));
    }
    unsigned flags = (_mm_movemask_epi8(high) ? F_HIGH : 0) | (_mm_movemask_epi8(cr) ? F_CR : 0)
                     | (_mm_movemask_epi8(stx) ? F_STX : 0) | (_mm_movemask_epi8(hyphen_lf) ? F_HYPHEN_LF : 0)
                     | (_mm_movemask_epi8(blank_lf) ? F_BLANK_LF : 0);
    return flags_from(d, i, n, flags_from(d, 0, n < 1 ? n : 1, flags));
}

#if defined(__GNUC__) && defined(__x86_64__)
#define HAVE_AVX2_PATH 1
/* The same, 32 bytes at a time, on CPUs with AVX2 (chosen once, at import). */
__attribute__((target("avx2"))) static unsigned text_flags_avx2(const unsigned char *d, Py_ssize_t n)
{
    const __m256i cr_byte = _mm256_set1_epi8('\r'), stx_byte = _mm256_set1_epi8(2), lf_byte = _mm256_set1_epi8('\n'),
                  hyphen = _mm256_set1_epi8('-'), space = _mm256_set1_epi8(' '), tab = _mm256_set1_epi8('\t');
    __m256i high = _mm256_setzero_si256(), cr = high, stx = high, hyphen_lf = high, blank_lf = high;
    Py_ssize_t i = 1;
    for (; i + 32 <= n; i += 32) {
        __m256i c = _mm256_loadu_si256((const __m256i *)(d + i));
        __m256i before = _mm256_loadu_si256((const __m256i *)(d + i - 1));
        __m256i lf = _mm256_cmpeq_epi8(c, lf_byte);
        high = _mm256_or_si256(high, c);
        cr = _mm256_or_si256(cr, _mm256_cmpeq_epi8(c, cr_byte));
        stx = _mm256_or_si256(stx, _mm256_cmpeq_epi8(c, stx_byte));
        hyphen_lf = _mm256_or_si256(hyphen_lf, _mm256_and_si256(lf, _mm256_cmpeq_epi8(before, hyphen)));
        blank_lf = _mm256_or_si256(blank_lf, _mm256_and_si256(lf, _mm256_or_si256(_mm256_cmpeq_epi8(before, space),
                                                                                    _mm256_cmpeq_epi8(before, tab))));
    }
    unsigned flags = (_mm256_movemask_epi8(high) ? F_HIGH : 0) | (_mm256_movemask_epi8(cr) ? F_CR : 0)
                     | (_mm256_movemask_epi8(stx) ? F_STX : 0) | (_mm256_movemask_epi8(hyphen_lf) ? F_HYPHEN_LF : 0)
                     | (_mm256_movemask_epi8(blank_lf) ? F_BLANK_LF : 0);
    return flags_from(d, i, n, flags_from(d, 0, n < 1 ? n : 1, flags));
}
#endif

static unsigned (*text_flags_fast)(const unsigned char *, Py_ssize_t) = text_flags_sse2;

static unsigned text_flags(const unsigned char *d, Py_ssize_t n) { return text_flags_fast(d, n); }

static void choose_text_flags(void)
{
#ifdef HAVE_AVX2_PATH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        text_flags_fast = text_flags_avx2;
#endif
}
#else
static unsigned text_flags(const unsigned char *d, Py_ssize_t n) { return flags_from(d, 0, n, 0); }

static void choose_text_flags(void) {}
#endif

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

/* Exactly `extract.needs_repair_in_python`: whether the text repairs could change these bytes. */
static int flags_need_repair(const unsigned char *d, Py_ssize_t n, unsigned flags)
{
    if (flags & (F_HIGH | F_CR | F_STX | F_HYPHEN_LF))
        return 1;
    return (flags & F_BLANK_LF) && hyphen_then_blanks_then_lf(d, n);
}

static PyObject *needs_repair(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    int found;
    Py_BEGIN_ALLOW_THREADS
    found = flags_need_repair(view.buf, view.len, text_flags(view.buf, view.len));
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyBool_FromLong(found);
}

/* ------------------------------------------------------------------------------------------ UTF-8 */

/* One character of UTF-8 at s, as CPython's decoder reads it with errors="replace" (Objects/stringlib/codecs.h):
 * returns the bytes it takes and sets *cp, or on an error the bytes one U+FFFD stands for (the longest valid
 * prefix of a sequence, at least one byte; a sequence cut by the end of the data: all that is left) with *cp =
 * U+FFFD and *bad = 1. */
static inline int is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

static Py_ssize_t utf8_next(const unsigned char *s, const unsigned char *end, Py_UCS4 *cp, int *bad)
{
    unsigned char c = s[0];
    Py_ssize_t left = end - s;
    *bad = 0;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    *cp = 0xFFFD;
    if (c < 0xC2 || c >= 0xF5) {
        *bad = 1;
        return 1;
    }
    if (c < 0xE0) {
        if (left < 2 || !is_continuation(s[1])) {
            *bad = 1;
            return 1;
        }
        *cp = ((Py_UCS4)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (left < 2) {
            *bad = 1;
            return left;
        }
        unsigned char c2 = s[1];
        if (!is_continuation(c2) || (c2 < 0xA0 ? c == 0xE0 : c == 0xED)) {
            *bad = 1;
            return 1;
        }
        if (left < 3) {
            *bad = 1;
            return left;
        }
        if (!is_continuation(s[2])) {
            *bad = 1;
            return 2;
        }
        *cp = ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(c2 & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if (left < 2) {
        *bad = 1;
        return left;
    }
    unsigned char c2 = s[1];
    if (!is_continuation(c2) || (c2 < 0x90 ? c == 0xF0 : c == 0xF4)) {
        *bad = 1;
        return 1;
    }
    if (left < 3) {
        *bad = 1;
        return left;
    }
    if (!is_continuation(s[2])) {
        *bad = 1;
        return 2;
    }
    if (left < 4) {
        *bad = 1;
        return left;
    }
    if (!is_continuation(s[3])) {
        *bad = 1;
        return 3;
    }
    *cp = ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(c2 & 0x3F) << 12) | ((Py_UCS4)(s[2] & 0x3F) << 6)
          | (s[3] & 0x3F);
    return 4;
}

/* len(data.decode("utf-8", errors="replace")) and how many U+FFFD stand for undecodable bytes. */
static void utf8_count(const unsigned char *d, Py_ssize_t n, Py_ssize_t *characters, Py_ssize_t *replaced)
{
    Py_ssize_t chars = 0, bad_count = 0, i = 0;
    while (i < n) {
        if (d[i] < 0x80) {
            i++;
            chars++;
            continue;
        }
        Py_UCS4 cp;
        int bad;
        i += utf8_next(d + i, d + n, &cp, &bad);
        chars++;
        bad_count += bad;
    }
    *characters = chars;
    *replaced = bad_count;
}

static PyObject *utf8_probe(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t characters, replaced;
    utf8_count(view.buf, view.len, &characters, &replaced);
    PyBuffer_Release(&view);
    return Py_BuildValue("(nn)", characters, replaced);
}

static void utf8_put(Py_UCS4 cp, unsigned char *out, int *length)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        *length = 1;
    } else if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        *length = 2;
    } else if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        *length = 3;
    } else {
        out[0] = (unsigned char)(0xF0 | (cp >> 18));
        out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (unsigned char)(0x80 | (cp & 0x3F));
        *length = 4;
    }
}

/* ------------------------------------------------------------------------------------------ repairs */

/* extract.repair_text on UTF-8 bytes, exactly (the same output, encoded): CR LF and CR to LF; NFKC; words
 * hyphenated across a line end joined (the hyphen kept after a counted word); soft hyphens and the marks U+FFFE
 * and U+0002 removed. It runs in two stages over bytes, and calls Python only for what needs Unicode's tables:
 *
 * 1. CR and NFKC. NFKC leaves ASCII as it is, and a text may be normalised piece by piece when every piece
 *    starts before a character that has a "boundary before" it (canonical combining class 0, NFKC_QC Yes, never
 *    composing with what comes before): every ASCII character is one. So only a run of bytes >= 0x80, with the
 *    ASCII character before it (a combining mark composes with it: 'e' U+0301 -> U+00E9), is handed to
 *    `unicodedata.normalize` - and only when one of its characters is not `stable` (stable: a boundary before
 *    it and its own NFKC; asked of Python once per character and kept). Undecodable bytes become U+FFFD as
 *    bytes.decode(errors="replace") makes them.
 * 2. The joins and removals, from the places they can happen (a LF with a '-' before it, U+FFFE, U+0002,
 *    U+00AD), in order, as `extract._join_broken_words` finds them with its regular expression; Unicode's
 *    letters and digits (str.isalnum, the regex's \w) come from CPython's own tables. */

static unsigned char *stable_cache; /* per code point: 0 not asked yet, 1 stable, 2 not */

#define NFKC_CACHE 4096
#define NFKC_KEY 40
typedef struct {
    unsigned char length;
    unsigned char key[NFKC_KEY];
    PyObject *value; /* bytes: the piece normalised */
} NfkcEntry;
static NfkcEntry nfkc_cache[NFKC_CACHE]; /* pieces seen before: a paper repeats its few odd characters */

typedef struct {
    Buf one, two; /* the outputs of the two stages */
} RepairBufs;

typedef struct {
    PyObject_HEAD
    PyObject *nfkc;            /* callable: str -> its NFKC */
    PyObject *stable;          /* callable: code point -> bool */
    PyObject *casefolded_keep; /* set of str: the counted words whose hyphen is kept, casefolded */
    Buf *keep;                 /* the ASCII ones, lower case */
    Py_ssize_t keep_count;
    RepairBufs spare;          /* kept from one document to the next (no page faults on fresh memory) */
    int spare_busy;            /* a thread is using them (the GIL is let go during a scan, and in Python calls) */
} Repairer;

static RepairBufs *take_bufs(Repairer *self, RepairBufs *own)
{
    memset(own, 0, sizeof *own);
    if (self->spare_busy)
        return own;
    self->spare_busy = 1;
    self->spare.one.len = self->spare.two.len = 0;
    return &self->spare;
}

static void give_bufs(Repairer *self, RepairBufs *bufs)
{
    if (bufs == &self->spare) {
        self->spare_busy = 0;
        return;
    }
    free(bufs->one.p);
    free(bufs->two.p);
}

static void Repairer_dealloc(Repairer *self)
{
    Py_XDECREF(self->nfkc);
    Py_XDECREF(self->stable);
    Py_XDECREF(self->casefolded_keep);
    for (Py_ssize_t i = 0; i < self->keep_count; i++)
        free(self->keep[i].p);
    free(self->keep);
    free(self->spare.one.p);
    free(self->spare.two.p);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Repairer_init(Repairer *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"keep", "nfkc", "stable", NULL};
    PyObject *keep_arg, *nfkc, *stable;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO", keywords, &keep_arg, &nfkc, &stable))
        return -1;
    if (self->nfkc) {
        PyErr_SetString(PyExc_RuntimeError, "Repairer is already initialised");
        return -1;
    }
    PyObject *folded = PySet_New(NULL);
    PyObject *keep = PySequence_Fast(keep_arg, "keep must be a sequence of str");
    if (!folded || !keep) {
        Py_XDECREF(folded);
        Py_XDECREF(keep);
        return -1;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(keep);
    self->keep = calloc((size_t)(count ? count : 1), sizeof(Buf));
    if (!self->keep) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *word = PySequence_Fast_GET_ITEM(keep, i);
        if (!PyUnicode_Check(word)) {
            PyErr_Format(PyExc_TypeError, "keep word %zd is not str", i);
            goto fail;
        }
        PyObject *casefolded = PyObject_CallMethod(word, "casefold", NULL);
        if (!casefolded || PySet_Add(folded, casefolded) < 0) {
            Py_XDECREF(casefolded);
            goto fail;
        }
        Py_ssize_t size;
        const char *utf8 = PyUnicode_AsUTF8AndSize(casefolded, &size);
        if (utf8 && PyUnicode_IS_ASCII(casefolded)) {
            if (buf_add(&self->keep[self->keep_count], utf8, (size_t)size) < 0) {
                Py_DECREF(casefolded);
                goto fail;
            }
            self->keep_count++;
        }
        Py_DECREF(casefolded);
        if (PyErr_Occurred())
            goto fail;
    }
    Py_DECREF(keep);
    Py_INCREF(nfkc);
    Py_INCREF(stable);
    self->nfkc = nfkc;
    self->stable = stable;
    self->casefolded_keep = folded;
    return 0;
fail:
    Py_DECREF(keep);
    Py_DECREF(folded);
    return -1;
}

/* 1 stable, 0 not, -1 with a Python error set. */
static int is_stable(Repairer *self, Py_UCS4 cp)
{
    if (!stable_cache) {
        stable_cache = calloc(0x110000, 1);
        if (!stable_cache) {
            PyErr_NoMemory();
            return -1;
        }
    }
    if (!stable_cache[cp]) {
        PyObject *answer = PyObject_CallFunction(self->stable, "I", (unsigned int)cp);
        if (!answer)
            return -1;
        int yes = PyObject_IsTrue(answer);
        Py_DECREF(answer);
        if (yes < 0)
            return -1;
        stable_cache[cp] = yes ? 1 : 2;
    }
    return stable_cache[cp] == 1;
}

/* The NFKC of one piece of UTF-8 (bytes >= 0x80 with the ASCII character before them), appended to out. */
static int append_nfkc(Repairer *self, const unsigned char *piece, Py_ssize_t size, Buf *out)
{
    NfkcEntry *entry = NULL;
    if (size <= NFKC_KEY) {
        uint64_t hash = 1469598103934665603ULL;
        for (Py_ssize_t i = 0; i < size; i++)
            hash = (hash ^ piece[i]) * 1099511628211ULL;
        entry = &nfkc_cache[hash % NFKC_CACHE];
        if (entry->value && entry->length == size && memcmp(entry->key, piece, (size_t)size) == 0)
            return buf_add(out, PyBytes_AS_STRING(entry->value), (size_t)PyBytes_GET_SIZE(entry->value));
    }
    PyObject *text = PyUnicode_DecodeUTF8((const char *)piece, size, "replace");
    PyObject *normal = text ? PyObject_CallOneArg(self->nfkc, text) : NULL;
    PyObject *encoded = normal ? PyUnicode_AsUTF8String(normal) : NULL;
    Py_XDECREF(text);
    Py_XDECREF(normal);
    if (!encoded)
        return -1;
    int result = buf_add(out, PyBytes_AS_STRING(encoded), (size_t)PyBytes_GET_SIZE(encoded));
    if (entry) {
        Py_XSETREF(entry->value, encoded);
        entry->length = (unsigned char)size;
        memcpy(entry->key, piece, (size_t)size);
    } else {
        Py_DECREF(encoded);
    }
    return result;
}

/* Where the plain ASCII (no CR) from i ends: sixteen bytes at a time with SSE2, else eight. */
static Py_ssize_t plain_until(const unsigned char *d, Py_ssize_t i, Py_ssize_t n)
{
#ifdef __SSE2__
    const __m128i cr = _mm_set1_epi8('\r');
    while (i + 16 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(d + i));
        int found = _mm_movemask_epi8(_mm_or_si128(c, _mm_cmpeq_epi8(c, cr)));
        if (found)
            return i + __builtin_ctz((unsigned)found);
        i += 16;
    }
#else
    while (i + 8 <= n) {
        uint64_t w, x;
        memcpy(&w, d + i, 8);
        x = w ^ 0x0d0d0d0d0d0d0d0dULL; /* a zero byte where there is a CR */
        if ((w & 0x8080808080808080ULL) | ((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL))
            break;
        i += 8;
    }
#endif
    while (i < n && d[i] < 0x80 && d[i] != '\r')
        i++;
    return i;
}

enum { SAW_FFFE = 1, SAW_SOFT = 2, NEW_SIGNS = 4 };

/* Stage 1: CR, undecodable bytes and NFKC. Copies into out only from the first change on (*changed then set):
 * until then the text is d itself. *saw: SAW_FFFE and SAW_SOFT when those characters are in the text, NEW_SIGNS
 * when out may hold a '-', blank, LF or U+0002 where d did not. */
static int repair_stage_one(Repairer *self, const unsigned char *d, Py_ssize_t n, Buf *out, int *changed,
                            unsigned *saw)
{
    Py_ssize_t i = 0, copied = 0; /* d[copied:i] is yet to go to out once a change has begun */
#define FLUSH(upto)                                                                                                 \
    do {                                                                                                            \
        if (*changed && buf_add(out, d + copied, (size_t)((upto) - copied)) < 0)                                   \
            return -1;                                                                                              \
        copied = (upto);                                                                                            \
    } while (0)
#define BEGIN_CHANGE(at)                                                                                            \
    do {                                                                                                            \
        if (!*changed) {                                                                                            \
            if (buf_reserve(out, (size_t)n + 64) < 0)                                                               \
                return -1;                                                                                          \
            *changed = 1;                                                                                           \
            out->len = 0;                                                                                           \
            copied = 0;                                                                                             \
        }                                                                                                           \
        FLUSH(at);                                                                                                  \
    } while (0)
    while (i < n) {
        Py_ssize_t j = plain_until(d, i, n);
        if (j >= n)
            break;
        if (d[j] == '\r') { /* CR LF -> LF, a lone CR -> LF */
            BEGIN_CHANGE(j);
            *saw |= NEW_SIGNS;
            if (!(j + 1 < n && d[j + 1] == '\n') && buf_add(out, "\n", 1) < 0)
                return -1;
            i = copied = j + 1;
            continue;
        }
        Py_ssize_t k = j;
        while (k < n && d[k] >= 0x80)
            k++;
        int all_stable = 1, any_bad = 0;
        for (Py_ssize_t p = j; p < k;) {
            Py_UCS4 cp;
            int bad;
            p += utf8_next(d + p, d + k, &cp, &bad);
            any_bad |= bad;
            if (cp == 0xFFFE)
                *saw |= SAW_FFFE;
            else if (cp == 0xAD)
                *saw |= SAW_SOFT;
            if (all_stable && !bad) {
                int stable = is_stable(self, cp);
                if (stable < 0)
                    return -1;
                all_stable = stable;
            }
        }
        if (all_stable && !any_bad) {
            i = k; /* as it is */
            continue;
        }
        if (all_stable) { /* only U+FFFD for undecodable bytes: stable too */
            BEGIN_CHANGE(j);
            for (Py_ssize_t p = j; p < k;) {
                Py_UCS4 cp;
                int bad, size;
                unsigned char encoded[4];
                p += utf8_next(d + p, d + k, &cp, &bad);
                utf8_put(cp, encoded, &size);
                if (buf_add(out, encoded, (size_t)size) < 0)
                    return -1;
            }
            i = copied = k;
            continue;
        }
        /* the run with the ASCII character before it, normalised by Python */
        Py_ssize_t start = j > 0 ? j - 1 : 0;
        if (*changed)
            FLUSH(j);
        Buf piece = {0};
        int before = 0;
        if (j > 0) { /* the character before: in out when a change has begun (a CR there became LF), else d's */
            unsigned char c = *changed && out->len ? out->p[out->len - 1] : d[j - 1];
            before = buf_add(&piece, &c, 1) < 0 ? -1 : 1;
        }
        if (before < 0 || buf_add(&piece, d + j, (size_t)(k - j)) < 0) {
            free(piece.p);
            return -1;
        }
        Buf normal = {0};
        int failed = append_nfkc(self, piece.p, (Py_ssize_t)piece.len, &normal);
        if (!failed && (normal.len != piece.len || memcmp(normal.p, piece.p, piece.len) != 0)) {
            if (!*changed)
                BEGIN_CHANGE(start); /* d up to the character before the piece */
            else if (before)
                out->len--; /* out ends with the character before the piece: the piece replaces it */
            failed = buf_add(out, normal.p, normal.len);
            for (size_t p = 0; p < normal.len; p++) {
                unsigned char c = normal.p[p];
                if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == 0x02)
                    *saw |= NEW_SIGNS;
            }
            copied = k;
        }
        free(piece.p);
        free(normal.p);
        if (failed)
            return -1;
        i = k;
    }
    FLUSH(n);
#undef BEGIN_CHANGE
#undef FLUSH
    return 0;
}

/* The character at p of valid UTF-8 is a word character of Python's regular expressions (str.isalnum or '_'). */
static int word_char_at(const unsigned char *t, Py_ssize_t p, Py_ssize_t m)
{
    if (t[p] < 0x80)
        return is_word_byte(t[p]);
    Py_UCS4 cp;
    int bad;
    utf8_next(t + p, t + m, &cp, &bad);
    return Py_UNICODE_ISALNUM(cp) || cp == '_';
}

/* Where the word that ends at pos starts (walking back over word characters, not before floor). */
static Py_ssize_t word_start(const unsigned char *t, Py_ssize_t pos, Py_ssize_t floor, Py_ssize_t m)
{
    Py_ssize_t w = pos;
    while (w > floor) {
        Py_ssize_t s = w - 1;
        while (s > floor && is_continuation(t[s]))
            s--;
        if (!word_char_at(t, s, m))
            break;
        w = s;
    }
    return w;
}

/* 1 when the word is a counted word whose line-end hyphen is kept (casefolded), 0 not, -1 on an error. */
static int keeps_hyphen(Repairer *self, const unsigned char *word, Py_ssize_t size)
{
    int ascii = 1;
    for (Py_ssize_t i = 0; i < size && ascii; i++)
        ascii = word[i] < 0x80;
    if (ascii) {
        for (Py_ssize_t k = 0; k < self->keep_count; k++) {
            if ((Py_ssize_t)self->keep[k].len != size)
                continue;
            Py_ssize_t i = 0;
            while (i < size && lower_byte(word[i]) == self->keep[k].p[i])
                i++;
            if (i == size)
                return 1;
        }
        return 0;
    }
    PyObject *text = PyUnicode_DecodeUTF8((const char *)word, size, "strict");
    PyObject *folded = text ? PyObject_CallMethod(text, "casefold", NULL) : NULL;
    int found = folded ? PySet_Contains(self->casefolded_keep, folded) : -1;
    Py_XDECREF(text);
    Py_XDECREF(folded);
    return found;
}

typedef struct {
    Py_ssize_t pos;
    int kind; /* HYPHEN: a '-' then blanks then LF; MARK: U+FFFE or U+0002; SOFT: U+00AD */
    int size;
} Place;

enum { HYPHEN, MARK, SOFT };

static int place_order(const void *a, const void *b)
{
    Py_ssize_t x = ((const Place *)a)->pos, y = ((const Place *)b)->pos;
    return (x > y) - (x < y);
}

static int add_place(Place **places, size_t *count, size_t *cap, Py_ssize_t pos, int kind, int size)
{
    if (*count == *cap) {
        size_t more = *cap ? *cap * 2 : 32;
        Place *grown = realloc(*places, more * sizeof(Place));
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        *places = grown;
        *cap = more;
    }
    (*places)[(*count)++] = (Place){pos, kind, size};
    return 0;
}

/* Every place of a character (its UTF-8 `needle`, which starts with a byte no other character's UTF-8 holds
 * inside it) in t, as places of `kind`. */
static int find_char(const unsigned char *t, Py_ssize_t m, const char *needle, int size, int kind, Place **places,
                     size_t *count, size_t *cap)
{
    const unsigned char *p = t, *end = t + m;
    while ((p = memchr(p, (unsigned char)needle[0], (size_t)(end - p))) != NULL) {
        if (end - p >= size && memcmp(p, needle, (size_t)size) == 0
            && add_place(places, count, cap, p - t, kind, size) < 0)
            return -1;
        p++;
    }
    return 0;
}

/* Whether the LF at p ends a line whose last byte before any blanks is a '-': then a HYPHEN place for it. */
static int hyphen_before(const unsigned char *t, const unsigned char *p, Place **places, size_t *count, size_t *cap)
{
    const unsigned char *q = p;
    while (q > t && (q[-1] == ' ' || q[-1] == '\t'))
        q--;
    if (q > t && q[-1] == '-')
        return add_place(places, count, cap, q - 1 - t, HYPHEN, 1);
    return 0;
}

/* A HYPHEN place for every '-' that only blanks (or nothing) separate from the LF after it: the LFs with a '-'
 * or a blank just before them, sixteen bytes at a time with SSE2. */
static int find_hyphens(const unsigned char *t, Py_ssize_t m, Place **places, size_t *count, size_t *cap)
{
    Py_ssize_t i = 1;
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), hyphen = _mm_set1_epi8('-'), space = _mm_set1_epi8(' '),
                  tab = _mm_set1_epi8('\t');
    for (; i + 16 <= m; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(t + i)), before = _mm_loadu_si128((const __m128i *)(t + i - 1));
        __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(before, hyphen),
                                    _mm_or_si128(_mm_cmpeq_epi8(before, space), _mm_cmpeq_epi8(before, tab)));
        unsigned found = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(c, lf), ends));
        while (found) {
            if (hyphen_before(t, t + i + __builtin_ctz(found), places, count, cap) < 0)
                return -1;
            found &= found - 1;
        }
    }
#endif
    for (; i < m; i++)
        if (t[i] == '\n' && (t[i - 1] == '-' || t[i - 1] == ' ' || t[i - 1] == '\t')
            && hyphen_before(t, t + i, places, count, cap) < 0)
            return -1;
    return 0;
}

/* Stage 2's output: written to dst from the first change on (before it, the text is t itself). dst may be t: the
 * text only shrinks, so writing never overtakes reading. */
typedef struct {
    const unsigned char *t;
    unsigned char *dst;
    Py_ssize_t w; /* dst[0:w] is written */
    int changed;
} Joined;

static void joined_begin(Joined *o, Py_ssize_t at)
{
    if (o->changed)
        return;
    if (o->dst != o->t)
        memcpy(o->dst, o->t, (size_t)at);
    o->w = at;
    o->changed = 1;
}

static void joined_copy(Joined *o, Py_ssize_t from, Py_ssize_t to)
{
    if (!o->changed || to <= from)
        return;
    memmove(o->dst + o->w, o->t + from, (size_t)(to - from));
    o->w += to - from;
}

/* t[from:to] to the output without the removed characters (the MARK and SOFT places in it). */
static void copy_kept(Joined *o, Py_ssize_t from, Py_ssize_t to, const Place *places, size_t count, size_t *next)
{
    while (*next < count && places[*next].pos < from)
        (*next)++;
    Py_ssize_t at = from;
    for (; *next < count && places[*next].pos < to; (*next)++) {
        const Place *place = &places[*next];
        if (place->kind == HYPHEN)
            continue;
        joined_copy(o, at, place->pos);
        joined_begin(o, place->pos);
        at = place->pos + place->size;
    }
    joined_copy(o, at, to);
}

/* Stage 2 of t (valid UTF-8; `flags` says which signs to look for, `saw` what stage 1 saw): the joins and
 * removals, into dst (capacity m, or t itself). *size: the output's length, when *changed. */
static int repair_stage_two(Repairer *self, const unsigned char *t, Py_ssize_t m, unsigned flags, unsigned saw,
                            unsigned char *dst, Py_ssize_t *size, int *changed)
{
    Place *places = NULL;
    size_t count = 0, cap = 0;
    int result = -1;
    if ((flags & (F_HYPHEN_LF | F_BLANK_LF)) && find_hyphens(t, m, &places, &count, &cap) < 0)
        goto done;
    if ((flags & F_STX) && find_char(t, m, "\x02", 1, MARK, &places, &count, &cap) < 0)
        goto done;
    if ((saw & SAW_FFFE) && find_char(t, m, "\xef\xbf\xbe", 3, MARK, &places, &count, &cap) < 0)
        goto done;
    if ((saw & SAW_SOFT) && find_char(t, m, "\xc2\xad", 2, SOFT, &places, &count, &cap) < 0)
        goto done;
    qsort(places, count, sizeof(Place), place_order);
    /* _JOIN = -[ \t]*\n[ \t]*(?=\w) | [\ufffe\u0002]\n?[ \t]*(?=\w), found left to right; a match whose word
     * before is empty is left as it is, else replaced by nothing (or '-' after a counted word) */
    Joined out = {t, dst, 0, 0};
    Py_ssize_t searched = 0, done_to = 0;
    size_t next = 0;
    for (size_t k = 0; k < count; k++) {
        const Place *place = &places[k];
        if (place->kind == SOFT || place->pos < searched)
            continue;
        Py_ssize_t p = place->pos + place->size;
        if (place->kind == HYPHEN) {
            while (t[p] == ' ' || t[p] == '\t')
                p++;
            p++; /* the LF */
        } else if (p < m && t[p] == '\n') {
            p++;
        }
        while (p < m && (t[p] == ' ' || t[p] == '\t'))
            p++;
        if (p >= m || !word_char_at(t, p, m))
            continue;
        searched = p;
        Py_ssize_t word = word_start(t, place->pos, done_to, m);
        if (word == place->pos)
            continue;
        int keep = keeps_hyphen(self, t + word, place->pos - word);
        if (keep < 0)
            goto done;
        copy_kept(&out, done_to, place->pos, places, count, &next);
        joined_begin(&out, place->pos);
        if (keep)
            out.dst[out.w++] = '-';
        done_to = p;
    }
    copy_kept(&out, done_to, m, places, count, &next);
    *changed = out.changed;
    *size = out.w;
    result = 0;
done:
    free(places);
    return result;
}

/* The repaired text of d (its signs `flags`): *text is d itself when nothing changes, else a buffer of bufs. */
static int repair_core(Repairer *self, const unsigned char *d, Py_ssize_t n, unsigned flags, RepairBufs *bufs,
                       const unsigned char **text, Py_ssize_t *size)
{
    const unsigned char *t = d;
    Py_ssize_t m = n;
    int changed = 0;
    unsigned saw = 0;
    if (flags & (F_HIGH | F_CR)) {
        if (repair_stage_one(self, d, n, &bufs->one, &changed, &saw) < 0)
            return -1;
        if (changed) {
            t = bufs->one.p;
            m = (Py_ssize_t)bufs->one.len;
        }
    }
    if (saw & NEW_SIGNS) /* stage 1 may have made a sign: look for each (a few memchr calls) */
        flags |= F_HYPHEN_LF | F_STX;
    if ((flags & (F_HYPHEN_LF | F_BLANK_LF | F_STX)) || (saw & (SAW_FFFE | SAW_SOFT))) {
        unsigned char *dst = (unsigned char *)t;
        if (!changed) {
            if (buf_reserve(&bufs->two, (size_t)m) < 0)
                return -1;
            dst = bufs->two.p;
        }
        Py_ssize_t joined;
        int changed_here = 0;
        if (repair_stage_two(self, t, m, flags, saw, dst, &joined, &changed_here) < 0)
            return -1;
        if (changed_here) {
            t = dst;
            m = joined;
        }
    }
    *text = t;
    *size = m;
    return 0;
}

static PyObject *Repairer_repair(Repairer *self, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const unsigned char *d = view.buf, *text = d;
    Py_ssize_t size = view.len;
    unsigned flags = text_flags(d, view.len);
    PyObject *out = NULL;
    RepairBufs own, *bufs = take_bufs(self, &own);
    if (!flags_need_repair(d, view.len, flags) || repair_core(self, d, view.len, flags, bufs, &text, &size) == 0) {
        if (text != d)
            out = PyBytes_FromStringAndSize((const char *)text, size);
        else if (PyBytes_CheckExact(arg)) {
            Py_INCREF(arg);
            out = arg;
        } else {
            out = PyBytes_FromStringAndSize((const char *)d, view.len);
        }
    }
    give_bufs(self, bufs);
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef Repairer_methods[] = {
    {"repair", (PyCFunction)Repairer_repair, METH_O,
     "repair(data) -> the repaired UTF-8 (extract.repair_text of the decoded text, encoded); data itself when "
     "nothing changes"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RepairerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mindshare.scan._native.Repairer",
    .tp_doc = "Repairer(keep, nfkc, stable): the text repairs of extract.repair_text, on UTF-8 bytes",
    .tp_basicsize = sizeof(Repairer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Repairer_init,
    .tp_dealloc = (destructor)Repairer_dealloc,
    .tp_methods = Repairer_methods,
};

/* ------------------------------------------------------------------------------------------ a batch of texts */

/* The common case of a scan, whole in C: local text files (each at most 8 MiB) counted with the mindshare rules.
 * Per file, what runner.scan_file does through extract and rules.MindshareRules: read once; hashed (the content
 * key: `hasher(data).digest()`, BLAKE3); repaired when a repair sign shows; one tally pass; and written out as
 * the row the store keeps (its mentions and detail JSON) and as its --json line. A file it does not take as it is
 * (unreadable, grown past 8 MiB, NUL bytes or mostly not UTF-8: a failed document whose reason Python words) is
 * left to Python: `run` marks it and moves on. */

#define TEXT_PROBE (64 * 1024)
#define LARGEST_TEXT (8 * 1024 * 1024)

typedef struct {
    PyObject_HEAD
    Scanner *scanner;
    Repairer *repairer;
    TallyPlan plan;
    PyObject *hasher;      /* callable: bytes -> an object with digest() */
    PyObject *json_string; /* callable: str -> its JSON string (json.encoder.encode_basestring_ascii) */
    Buf *ids;              /* per contender: its id as a JSON string */
} TextBatch;

static void TextBatch_dealloc(TextBatch *self)
{
    Py_XDECREF(self->scanner);
    Py_XDECREF(self->repairer);
    Py_XDECREF(self->hasher);
    Py_XDECREF(self->json_string);
    if (self->ids)
        for (Py_ssize_t k = 0; k < self->plan.owner_count; k++)
            free(self->ids[k].p);
    free(self->ids);
    plan_clear(&self->plan);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int TextBatch_init(TextBatch *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"scanner", "first_words", "spans", "owners", "keywords", "headings_end", "ids",
                               "repairer", "hasher", "json_string", NULL};
    PyObject *scanner, *firsts, *spans, *owners, *ids_arg, *repairer, *hasher, *json_string;
    Py_ssize_t keyword_count, headings_end;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OOOnnOO!OO", keywords, &ScannerType, &scanner, &firsts,
                                     &spans, &owners, &keyword_count, &headings_end, &ids_arg, &RepairerType,
                                     &repairer, &hasher, &json_string))
        return -1;
    if (self->scanner) {
        PyErr_SetString(PyExc_RuntimeError, "TextBatch is already initialised");
        return -1;
    }
    PyObject *ids = PySequence_Fast(ids_arg, "ids must be a sequence of str (JSON strings)");
    if (!ids)
        return -1;
    Py_ssize_t owner_count = PySequence_Fast_GET_SIZE(ids);
    if (plan_init(&self->plan, (Scanner *)scanner, firsts, spans, owners, owner_count, keyword_count,
                  headings_end) < 0) {
        Py_DECREF(ids);
        return -1;
    }
    self->ids = calloc((size_t)(owner_count ? owner_count : 1), sizeof(Buf));
    if (!self->ids) {
        Py_DECREF(ids);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < owner_count; k++) {
        Py_ssize_t size;
        const char *text = PyUnicode_Check(PySequence_Fast_GET_ITEM(ids, k))
                               ? PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(ids, k), &size) : NULL;
        if (!text || buf_add(&self->ids[k], text, (size_t)size) < 0) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "id %zd is not str", k);
            Py_DECREF(ids);
            return -1;
        }
    }
    Py_DECREF(ids);
    Py_INCREF(scanner);
    Py_INCREF(repairer);
    Py_INCREF(hasher);
    Py_INCREF(json_string);
    self->scanner = (Scanner *)scanner;
    self->repairer = (Repairer *)repairer;
    self->hasher = hasher;
    self->json_string = json_string;
    return 0;
}

static int ends_nocase(const char *path, Py_ssize_t size, const char *suffix)
{
    Py_ssize_t n = (Py_ssize_t)strlen(suffix);
    return size >= n && starts_nocase((const unsigned char *)path + size - n, n, suffix);
}

/* Whether a path is a local text file's, as extract.kind_of tells them (not a URL, an archive member, a PDF or a
 * gzipped source). */
static int local_text_path(const char *path, Py_ssize_t size)
{
    if (strstr(path, "://") || strstr(path, "::"))
        return 0;
    return !ends_nocase(path, size, ".pdf") && !ends_nocase(path, size, ".gz") && !ends_nocase(path, size, ".tgz");
}

/* Read the file into `into` (kept from one document to the next: no fresh memory to fault in each time): 1, or 0
 * when Python should take the document (it is not a local text file, cannot be read, or is larger than
 * `largest`), or -1 with a Python error set. */
static int read_text_file(PyObject *path, Py_ssize_t largest, Buf *into, long long *size, long long *mtime_ns)
{
    Py_ssize_t length;
    const char *utf8 = PyUnicode_AsUTF8AndSize(path, &length);
    if (!utf8 || !local_text_path(utf8, length)) {
        PyErr_Clear();
        return 0;
    }
    PyObject *encoded = PyUnicode_EncodeFSDefault(path);
    if (!encoded)
        return -1;
    int fd;
    struct stat info;
    Py_BEGIN_ALLOW_THREADS
    fd = open(PyBytes_AS_STRING(encoded), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &info) != 0) {
        close(fd);
        fd = -1;
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(encoded);
    if (fd < 0)
        return 0;
    if (info.st_size > largest) {
        close(fd);
        return 0;
    }
    Py_ssize_t got = 0, want = (Py_ssize_t)info.st_size + 1;
    into->len = 0;
    if (buf_reserve(into, (size_t)want) < 0) {
        close(fd);
        return -1;
    }
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    while (got < want) { /* one read: a regular file gives all it has (a network one may give less) */
        ssize_t n = read(fd, into->p + got, (size_t)(want - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            failed = n < 0;
            break;
        }
        got += n;
        if (got == info.st_size && n < want) /* all of it, and less than asked for: the end */
            break;
    }
    close(fd);
    Py_END_ALLOW_THREADS
    if (failed || got > info.st_size) /* an error, or the file grew: Python reads it its own way */
        return 0;
    into->len = (size_t)got;
    *size = (long long)info.st_size;
    *mtime_ns = (long long)info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec;
    return 1;
}

static int add_json_path(TextBatch *self, PyObject *path, Buf *out)
{
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(path, &size);
    int plain = utf8 != NULL;
    for (Py_ssize_t i = 0; plain && i < size; i++) {
        unsigned char c = (unsigned char)utf8[i];
        plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    }
    if (plain)
        return buf_add(out, "\"", 1) < 0 || buf_add(out, utf8, (size_t)size) < 0 || buf_add(out, "\"", 1) < 0
                   ? -1 : 0;
    PyErr_Clear();
    PyObject *quoted = PyObject_CallOneArg(self->json_string, path);
    const char *text = quoted ? PyUnicode_AsUTF8AndSize(quoted, &size) : NULL;
    int result = text ? buf_add(out, text, (size_t)size) : -1;
    Py_XDECREF(quoted);
    return result;
}

/* bytes as a JSON string's contents: '"', '\\' and control characters escaped, the rest (UTF-8) as it is */
static int add_json_escaped(Buf *out, const unsigned char *text, size_t size)
{
    size_t from = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = text[i];
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        static const char hex[] = "0123456789abcdef";
        char escape[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t n = 2;
        if (c < 0x20) {
            memcpy(escape + 1, "u00", 3);
            escape[4] = hex[c >> 4];
            escape[5] = hex[c & 15];
            n = 6;
        }
        if (buf_add(out, text + from, i - from) < 0 || buf_add(out, escape, n) < 0)
            return -1;
        from = i + 1;
    }
    return buf_add(out, text + from, size - from);
}

/* mentions: {"<id>": direct, ...} for every contender; detail: {"ecosystem": {...}, "where": {...}}, as
 * runner._counts_json and rules.MindshareRules._detail_json write them. */
static int add_mentions_json(TextBatch *self, const long long *counts, Buf *out)
{
    if (buf_str(out, "{") < 0)
        return -1;
    for (Py_ssize_t k = 0; k < self->plan.owner_count; k++)
        if ((k && buf_str(out, ", ") < 0) || buf_add(out, self->ids[k].p, self->ids[k].len) < 0
            || buf_str(out, ": ") < 0 || buf_int(out, counts[k * PER_OWNER + DIRECT]) < 0)
            return -1;
    return buf_str(out, "}");
}

static int add_detail_json(TextBatch *self, const long long *counts, Buf *out)
{
    int first = 1;
    if (buf_str(out, "{\"ecosystem\": {") < 0)
        return -1;
    for (Py_ssize_t k = 0; k < self->plan.owner_count; k++) {
        const long long *mine = counts + k * PER_OWNER;
        if (!mine[ECOSYSTEM])
            continue;
        if ((!first && buf_str(out, ", ") < 0) || buf_add(out, self->ids[k].p, self->ids[k].len) < 0
            || buf_str(out, ": ") < 0 || buf_int(out, mine[ECOSYSTEM]) < 0)
            return -1;
        first = 0;
    }
    if (buf_str(out, "}, \"where\": {") < 0)
        return -1;
    first = 1;
    for (Py_ssize_t k = 0; k < self->plan.owner_count; k++) {
        const long long *mine = counts + k * PER_OWNER;
        if (!mine[DIRECT])
            continue;
        if ((!first && buf_str(out, ", ") < 0) || buf_add(out, self->ids[k].p, self->ids[k].len) < 0
            || buf_str(out, ": {\"body\": ") < 0 || buf_int(out, mine[BODY]) < 0
            || buf_str(out, ", \"url\": ") < 0 || buf_int(out, mine[URL]) < 0
            || buf_str(out, ", \"references\": ") < 0 || buf_int(out, mine[REFERENCES]) < 0
            || buf_str(out, "}") < 0)
            return -1;
        first = 0;
    }
    return buf_str(out, "}}");
}

static PyObject *buf_bytes(const Buf *b) { return PyBytes_FromStringAndSize((const char *)b->p, (Py_ssize_t)b->len); }

/* One document into the batch's rows and lines; 1 taken, 0 left to Python, -1 on an error. */
static int batch_one(TextBatch *self, PyObject *path, Py_ssize_t largest, Buf *digests, Buf *rows, Buf *lines,
                     int want_lines, long long *counts, long long *tally, Buf *scratch, Buf *file)
{
    long long file_size = 0, mtime_ns = 0;
    int read_it = read_text_file(path, largest, file, &file_size, &mtime_ns);
    if (read_it <= 0)
        return read_it;
    const unsigned char *d = file->p;
    Py_ssize_t n = (Py_ssize_t)file->len;
    PyObject *data = NULL, *hashed = NULL, *digest = NULL;
    RepairBufs own, *bufs = NULL;
    int result = -1;
    if (memchr(d, 0, (size_t)(n < TEXT_PROBE ? n : TEXT_PROBE))) { /* binary data: Python words the reason */
        result = 0;
        goto done;
    }
    unsigned flags = text_flags(d, n);
    const unsigned char *text = d;
    Py_ssize_t size = n;
    if (flags_need_repair(d, n, flags)) {
        if (flags & F_HIGH) {
            Py_ssize_t characters, replaced;
            utf8_count(d, n < TEXT_PROBE ? n : TEXT_PROBE, &characters, &replaced);
            if (replaced > 0.3 * (double)characters) { /* mostly not UTF-8: not text */
                result = 0;
                goto done;
            }
        }
        bufs = take_bufs(self->repairer, &own);
        if (repair_core(self->repairer, d, n, flags, bufs, &text, &size) < 0)
            goto done;
    }
    data = PyMemoryView_FromMemory((char *)d, n, PyBUF_READ);
    hashed = data ? PyObject_CallOneArg(self->hasher, data) : NULL;
    digest = hashed ? PyObject_CallMethod(hashed, "digest", NULL) : NULL;
    if (!digest)
        goto done;
    if (!PyBytes_Check(digest) || PyBytes_GET_SIZE(digest) != 32) {
        PyErr_SetString(PyExc_ValueError, "the content key must be a 32-byte digest");
        goto done;
    }
    Py_ssize_t last_heading;
    if (tally_core(self->scanner, &self->plan, text, size, counts, &last_heading) < 0)
        goto done;
    static const char hex[] = "0123456789abcdef";
    char key[64];
    for (int i = 0; i < 32; i++) {
        unsigned char byte = (unsigned char)PyBytes_AS_STRING(digest)[i];
        key[2 * i] = hex[byte >> 4];
        key[2 * i + 1] = hex[byte & 15];
    }
    /* the mentions and detail JSON (in scratch), then the row and the --json line that carry them */
    scratch->len = 0;
    if (add_mentions_json(self, counts, scratch) < 0)
        goto done;
    size_t mentions_end = scratch->len;
    if (add_detail_json(self, counts, scratch) < 0)
        goto done;
    Py_ssize_t path_size;
    const char *path_utf8 = PyUnicode_AsUTF8AndSize(path, &path_size);
    if (!path_utf8)
        goto done;
    if ((rows->len && buf_str(rows, "\n") < 0) || buf_str(rows, "{\"sha256\": \"") < 0 || buf_add(rows, key, 64) < 0
        || buf_str(rows, "\", \"path\": \"") < 0
        || add_json_escaped(rows, (const unsigned char *)path_utf8, (size_t)path_size) < 0
        || buf_str(rows, "\", \"pages\": 0, \"mentions\": \"") < 0
        || add_json_escaped(rows, scratch->p, mentions_end) < 0 || buf_str(rows, "\", \"detail\": \"") < 0
        || add_json_escaped(rows, scratch->p + mentions_end, scratch->len - mentions_end) < 0
        || buf_str(rows, "\", \"error\": null, \"size\": ") < 0 || buf_int(rows, file_size) < 0
        || buf_str(rows, ", \"mtime_ns\": ") < 0 || buf_int(rows, mtime_ns) < 0 || buf_str(rows, "}") < 0)
        goto done;
    if (want_lines
        && ((lines->len && buf_str(lines, "\n") < 0) || buf_str(lines, "{\"path\": ") < 0
            || add_json_path(self, path, lines) < 0 || buf_str(lines, ", \"content_key\": \"") < 0
            || buf_add(lines, key, 64) < 0 || buf_str(lines, "\", \"pages\": 0, \"mentions\": ") < 0
            || buf_add(lines, scratch->p, mentions_end) < 0 || buf_str(lines, ", \"error\": null, ") < 0
            || buf_add(lines, scratch->p + mentions_end + 1, scratch->len - mentions_end - 1) < 0))
        goto done;
    if (buf_add(digests, PyBytes_AS_STRING(digest), 32) < 0)
        goto done;
    /* the tally: scanned, several, then per contender mentioning and only (tallies.Tally.add) */
    Py_ssize_t named = 0, one = -1;
    for (Py_ssize_t k = 0; k < self->plan.owner_count; k++)
        if (counts[k * PER_OWNER + DIRECT]) {
            named++;
            one = k;
            tally[2 + 2 * k]++;
        }
    tally[0]++;
    tally[2 + 2 * self->plan.owner_count] += file_size; /* the bytes of the documents taken */
    if (named == 1)
        tally[3 + 2 * one]++;
    else if (named > 1)
        tally[1]++;
    result = 1;
done:
    if (bufs)
        give_bufs(self->repairer, bufs);
    Py_XDECREF(data);
    Py_XDECREF(hashed);
    Py_XDECREF(digest);
    return result;
}

/* run(paths, lines, largest=8 MiB) -> (taken, digests, rows, lines, tally): taken (bytes, one per path: 1 done
 * here, 0 left to Python); the 32-byte digests of the taken documents, one after the other; their rows as the
 * store takes them (state.rows_json: JSON lines) and their --json lines (UTF-8; None unless asked), each joined
 * by LF;
 * tally (scanned, several, then per contender mentioning and only, then the bytes of the documents taken: the
 * scan process lists a folder's texts without stat-ing them, so their sizes are known here first). */
static PyObject *TextBatch_run(TextBatch *self, PyObject *args)
{
    PyObject *paths_arg;
    int want_lines;
    Py_ssize_t largest = LARGEST_TEXT;
    if (!PyArg_ParseTuple(args, "Op|n:run", &paths_arg, &want_lines, &largest))
        return NULL;
    PyObject *paths = PySequence_Fast(paths_arg, "paths must be a sequence of str");
    if (!paths)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(paths), owners = self->plan.owner_count;
    Buf taken = {0}, digests = {0}, rows = {0}, lines = {0}, scratch = {0}, file = {0};
    long long *counts = calloc((size_t)(owners ? owners : 1) * PER_OWNER, sizeof(long long));
    long long *tally = calloc((size_t)(3 + 2 * owners), sizeof(long long));
    PyObject *out = NULL;
    if (!counts || !tally) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *path = PySequence_Fast_GET_ITEM(paths, i);
        if (!PyUnicode_Check(path)) {
            PyErr_Format(PyExc_TypeError, "path %zd is not str", i);
            goto done;
        }
        int here = batch_one(self, path, largest, &digests, &rows, &lines, want_lines, counts, tally, &scratch,
                             &file);
        if (here < 0)
            goto done;
        unsigned char mark = (unsigned char)here;
        if (buf_add(&taken, &mark, 1) < 0)
            goto done;
    }
    PyObject *figures = PyList_New(3 + 2 * owners);
    if (!figures)
        goto done;
    for (Py_ssize_t k = 0; k < 3 + 2 * owners; k++)
        PyList_SET_ITEM(figures, k, PyLong_FromLongLong(tally[k]));
    PyObject *joined = want_lines ? buf_bytes(&lines) : (Py_INCREF(Py_None), Py_None);
    if (joined && !PyErr_Occurred())
        out = Py_BuildValue("(NNNNN)", buf_bytes(&taken), buf_bytes(&digests), buf_bytes(&rows), joined, figures);
    else {
        Py_XDECREF(joined);
        Py_DECREF(figures);
    }
done:
    free(counts);
    free(tally);
    free(taken.p);
    free(digests.p);
    free(rows.p);
    free(lines.p);
    free(scratch.p);
    free(file.p);
    Py_DECREF(paths);
    return out;
}

static PyMethodDef TextBatch_methods[] = {
    {"run", (PyCFunction)TextBatch_run, METH_VARARGS,
     "run(paths, lines, largest=8 MiB) -> (taken, digests, rows, lines, tally)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TextBatchType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mindshare.scan._native.TextBatch",
    .tp_doc = "TextBatch(scanner, first_words, spans, owners, keywords, headings_end, ids, repairer, hasher, "
              "json_string): text files read, hashed, repaired, counted and written out in C",
    .tp_basicsize = sizeof(TextBatch),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)TextBatch_init,
    .tp_dealloc = (destructor)TextBatch_dealloc,
    .tp_methods = TextBatch_methods,
};

/* ------------------------------------------------------------------------------------------ a folder's listing */

typedef struct {
    size_t at;          /* the name's offset in the arena */
    size_t size;
    unsigned char type; /* its d_type */
} Entry;

static const char *entry_names; /* the arena being sorted (qsort has no context argument) */

static int entry_order(const void *a, const void *b)
{
    return strcmp(entry_names + ((const Entry *)a)->at, entry_names + ((const Entry *)b)->at);
}

/* whether `name` ends with one of `suffixes` (lowercase ASCII), ASCII case ignored */
static int ends_with_any(const char *name, size_t n, const char *const *suffixes, const size_t *sizes, Py_ssize_t count)
{
    for (Py_ssize_t k = 0; k < count; k++) {
        size_t m = sizes[k];
        if (m > n)
            continue;
        size_t i = 0;
        while (i < m && lower_byte((unsigned char)name[n - m + i]) == (unsigned char)suffixes[k][i])
            i++;
        if (i == m)
            return 1;
    }
    return 0;
}

/* corpus._is_document's second half: something before the suffix's dot that is not a dot ('.txt' is no name) */
static int named_before_suffix(const char *name, size_t n)
{
    const char *dot = NULL;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '.')
            dot = name + i;
    for (const char *p = name; dot && p < dot; p++)
        if (*p != '.')
            return 1;
    return 0;
}

static int suffix_list(PyObject *tuple, const char **out, size_t *sizes, Py_ssize_t *count)
{
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) > 32) {
        PyErr_SetString(PyExc_TypeError, "suffixes must be a tuple of at most 32 str");
        return -1;
    }
    *count = PyTuple_GET_SIZE(tuple);
    for (Py_ssize_t k = 0; k < *count; k++) {
        Py_ssize_t size;
        out[k] = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(tuple, k), &size);
        if (!out[k])
            return -1;
        sizes[k] = (size_t)size;
    }
    return 0;
}

/* list_folder(folder, documents, pdfs, archives) -> (paths, kinds): what a scan takes from a folder, sorted by
 * name (its bytes), each as its path (os.path.join(folder, name), decoded as os.fsdecode does) and a kind: 'd' a
 * subfolder, 't' a document that is not a PDF, 'p' a PDF, 'a' an archive (each a regular file whose name ends
 * with one of the suffixes given, lowercase, as corpus._folder takes them), '?' an entry whose type only
 * stat can tell (a symbolic link with such a name, or a file system that does not give types): corpus._folder
 * looks at it. Other entries are left out. The scan process so lists a folder of texts without a Python object
 * per entry but its path (corpus.listings). Raises OSError when the folder cannot be read. */
static PyObject *list_folder(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *folder_arg, *documents_arg, *pdfs_arg, *archives_arg, *folder = NULL;
    if (!PyArg_ParseTuple(args, "OOOO:list_folder", &folder_arg, &documents_arg, &pdfs_arg, &archives_arg))
        return NULL;
    const char *documents[32], *pdfs[32], *archives[32];
    size_t document_sizes[32], pdf_sizes[32], archive_sizes[32];
    Py_ssize_t document_count, pdf_count, archive_count;
    if (suffix_list(documents_arg, documents, document_sizes, &document_count) < 0
        || suffix_list(pdfs_arg, pdfs, pdf_sizes, &pdf_count) < 0
        || suffix_list(archives_arg, archives, archive_sizes, &archive_count) < 0)
        return NULL;
    if (!PyUnicode_FSConverter(folder_arg, &folder))
        return NULL;
    const char *where = PyBytes_AS_STRING(folder);
    size_t where_size = (size_t)PyBytes_GET_SIZE(folder);
    int slash = where_size > 0 && where[where_size - 1] == '/';
    Buf arena = {0}, path = {0}, kinds = {0};
    Entry *entries = NULL;
    size_t count = 0, capacity = 0;
    PyObject *paths = NULL, *out = NULL;
    int failed = 0, error = 0;
    Py_BEGIN_ALLOW_THREADS
    DIR *dir = opendir(where);
    if (!dir) {
        error = errno;
    } else {
        for (;;) {
            errno = 0;
            struct dirent *found = readdir(dir);
            if (!found) {
                error = errno;
                break;
            }
            const char *name = found->d_name;
            if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                continue;
            if (count == capacity) {
                size_t more = capacity ? 2 * capacity : 256;
                Entry *grown = realloc(entries, more * sizeof(Entry));
                if (!grown) {
                    failed = 1;
                    break;
                }
                entries = grown;
                capacity = more;
            }
            size_t size = strlen(name);
            entries[count].at = arena.len;
            entries[count].size = size;
            entries[count].type = found->d_type;
            if (buf_add(&arena, name, size + 1) < 0) {
                failed = 1;
                break;
            }
            count++;
        }
        closedir(dir);
        if (!failed && !error && count) {
            entry_names = (const char *)arena.p;
            qsort(entries, count, sizeof(Entry), entry_order);
        }
    }
    Py_END_ALLOW_THREADS
    if (failed || error) {
        if (failed)
            PyErr_NoMemory();
        else
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, folder_arg);
        goto done;
    }
    paths = PyList_New(0);
    if (!paths)
        goto done;
    for (size_t i = 0; i < count; i++) {
        const char *name = (const char *)arena.p + entries[i].at;
        size_t size = entries[i].size;
        unsigned char type = entries[i].type;
        char kind = 0;
        if (type == DT_DIR) {
            kind = 'd';
        } else if (type == DT_UNKNOWN) {
            kind = '?';
        } else if (type == DT_REG || type == DT_LNK) {
            if (ends_with_any(name, size, archives, archive_sizes, archive_count))
                kind = 'a';
            else if (ends_with_any(name, size, documents, document_sizes, document_count)
                     && named_before_suffix(name, size))
                kind = ends_with_any(name, size, pdfs, pdf_sizes, pdf_count) ? 'p' : 't';
            if (kind && type == DT_LNK)
                kind = '?';
        }
        if (!kind)
            continue;
        path.len = 0;
        if (buf_add(&path, where, where_size) < 0 || (!slash && where_size && buf_add(&path, "/", 1) < 0)
            || buf_add(&path, name, size) < 0 || buf_add(&kinds, &kind, 1) < 0)
            goto done;
        PyObject *item = PyUnicode_DecodeFSDefaultAndSize((const char *)path.p, (Py_ssize_t)path.len);
        if (!item || PyList_Append(paths, item) < 0) {
            Py_XDECREF(item);
            goto done;
        }
        Py_DECREF(item);
    }
    out = Py_BuildValue("(ON)", paths, buf_bytes(&kinds));
done:
    Py_XDECREF(paths);
    Py_XDECREF(folder);
    free(entries);
    free(arena.p);
    free(path.p);
    free(kinds.p);
    return out;
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
    {"utf8_probe", utf8_probe, METH_O,
     "utf8_probe(data) -> (characters, replaced): data.decode('utf-8', errors='replace') counted"},
    {"list_folder", list_folder, METH_VARARGS,
     "list_folder(folder, documents, pdfs, archives) -> (paths, kinds): what a scan takes from a folder, by name"},
    {"hyperscan_version", hyperscan_version, METH_NOARGS, "the version of the libhs this module is linked with"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "mindshare.scan._native",
    .m_doc = "the scan's hot path in C (see the comment at the top of _native.c)",
    .m_size = -1,
    .m_methods = module_methods,
};

static int add_type(PyObject *module, PyTypeObject *type, const char *name)
{
    if (PyType_Ready(type) < 0)
        return -1;
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__native(void)
{
    if (hs_valid_platform() != HS_SUCCESS) {
        PyErr_SetString(PyExc_ImportError, "this CPU lacks the instructions libhs needs (SSSE3)");
        return NULL;
    }
    choose_text_flags();
    PyObject *module = PyModule_Create(&module_definition);
    if (!module)
        return NULL;
    if (add_type(module, &ScannerType, "Scanner") < 0 || add_type(module, &RepairerType, "Repairer") < 0
        || add_type(module, &TextBatchType, "TextBatch") < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
