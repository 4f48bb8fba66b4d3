/* loader.c - asset loading on the temp-scope API (engine/temp.h). */
#include <engine/temp.h>
#include <stdint.h>
#include <string.h>

typedef struct Asset { uint32_t id; uint32_t size; char *name; } Asset;

static const char *g_last_path;

size_t read_blob(const char *path, void *dst, size_t cap);
char *intern_name(const char *s);

int load_asset(Asset *out, const char *path) {
    TempMark m = temp_begin(temp_loader());
    uint8_t *raw = temp_push(temp_loader(), 4096);
    if (!raw) {
        temp_end(m);
        return -1;
    }
    size_t n = read_blob(path, raw, 4096);
    out->id = n ? raw[0] : 0;
    out->size = (uint32_t)n;
    out->name = intern_name(path);
    temp_end(m);
    return 0;
}

int load_asset_leaky(Asset *out, const char *path) {
    TempMark m = temp_begin(temp_loader()); // FINDING: frame-pairing
    uint8_t *raw = temp_push(temp_loader(), 4096);
    size_t n = read_blob(path, raw, 4096);
    if (n == 0)
        return -1;
    out->id = raw[0];
    out->size = (uint32_t)n;
    temp_end(m);
    return 0;
}

void remember_path(const char *path) {
    TempMark m = temp_begin(temp_scratch());
    char *copy = temp_strdup(temp_scratch(), path);
    g_last_path = copy; // FINDING: frame-escape
    temp_end(m);
}

uint32_t checksum_nested(const char *path) {
    TempMark outer = temp_begin(temp_scratch());
    uint8_t *buf = temp_push(temp_scratch(), 256);
    uint32_t sum = 0;
    TempMark inner = temp_begin(temp_loader());
    char *name = temp_strdup(temp_loader(), path);
    size_t n = buf ? read_blob(name, buf, 256) : 0;
    temp_end(inner);
    for (size_t i = 0; i < n; ++i)
        sum = sum * 31u + buf[i]; /* outer scope still open */
    temp_end(outer);
    return sum;
}

uint32_t first_byte(const char *path) {
    TempMark m = temp_begin(temp_scratch());
    uint8_t *buf = temp_push(temp_scratch(), 64);
    size_t n = buf ? read_blob(path, buf, 64) : 0;
    temp_end(m);
    return n ? buf[0] : 0; // FINDING: use-after-frame
}
