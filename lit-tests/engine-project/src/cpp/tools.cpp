// tools.cpp - editor tools on the temp-scope API through the RAII TempScope.
#include <engine/scope.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tools {

struct FA_LONG_LIVED Index {
    std::vector<std::string> names;
    const char *current = nullptr;
};

std::size_t scan(const char *dir, char **out, std::size_t cap);

std::size_t rebuild(Index &index, const char *dir) {
    engine::TempScope scope(temp_scratch());
    auto **names = static_cast<char **>(temp_push(temp_scratch(), 64 * sizeof(char *)));
    if (!names)
        return 0;
    std::size_t n = scan(dir, names, 64);
    index.names.clear();
    for (std::size_t i = 0; i < n; ++i)
        index.names.emplace_back(names[i]); // copied into std::string
    return n;
}

void select(Index &index, const char *name) {
    engine::TempScope scope(temp_scratch());
    char *copy = temp_strdup(temp_scratch(), name);
    index.current = copy; // FINDING: frame-escape
}

void select_ok(Index &index, std::size_t i) {
    index.current = i < index.names.size() ? index.names[i].c_str() : nullptr;
}

std::string describe(const char *name) {
    engine::TempScope scope(temp_scratch());
    char *copy = temp_strdup(temp_scratch(), name);
    return std::string(copy ? copy : "");
}

char *describe_raw(const char *name) {
    char *copy = nullptr;
    {
        engine::TempScope scope(temp_scratch());
        copy = temp_strdup(temp_scratch(), name);
    }
    if (copy)
        copy[0] = '#'; // FINDING: use-after-frame
    return nullptr;
}

} // namespace tools
