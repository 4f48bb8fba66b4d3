// SPDX-License-Identifier: MIT
// Instantiates everything framealloc.h and framealloc.hpp offer a C++ program (macros, inline
// fast path, every template) so that the strict header tests (CMakeLists.txt here) see the
// headers' own code under -Weverything / -Wold-style-cast. Compiled, never run.
#include <framealloc.hpp>

#include <memory_resource>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct Item {
    double x;
    long y;
    explicit Item(double v) : x(v), y(0) {}
    Item(const Item &) = default;
    Item &operator=(const Item &) = default;
    virtual ~Item();
};
Item::~Item() = default;

struct alignas(64) Line {
    char bytes[64];
};

template <class T>
using fvec = std::vector<T, fa::frame_allocator<T>>;

} // namespace

int run(fa_alloc *fa);
int run(fa_alloc *fa) {
    int sum = 0;
    {
        fa::FrameScope frame(fa);
        fa::TagScope tag(fa, "physics");
        Line *line = FA_FRAME_NEW(fa, Line);
        Line *lines = FA_FRAME_ARRAY(fa, Line, 4);
        void *raw = fa_frame_alloc(fa, 32, FA_FRAME_GRANULE);
        void *arr = fa_frame_alloc_array(fa, 4, 8, 8);
        sum += line != nullptr && lines != nullptr && raw != nullptr && arr != nullptr;
        sum += FA_MAX_ALIGN > FA_POOL_MAX_SIZE && FA_MAX_ALLOC_SIZE > FA_MAX_ALIGN;

        fa::frame_resource fres(fa);
        std::pmr::vector<int> pv(&fres);
        pv.push_back(1);
        fvec<int> v{fa::frame_allocator<int>(fa)};
        v.push_back(2);
        std::basic_string<char, std::char_traits<char>, fa::frame_allocator<char>> s(
            "frame string", fa::frame_allocator<char>(fa));
        std::unordered_map<int, int, std::hash<int>, std::equal_to<int>,
                           fa::frame_allocator<std::pair<const int, int>>>
            m(8, std::hash<int>(), std::equal_to<int>(),
              fa::frame_allocator<std::pair<const int, int>>(fa));
        m[1] = 3;
        sum += pv[0] + v[0] + m[1] + static_cast<int>(s.size());
        sum += fa::frame_allocator<int>(fa) == fa::frame_allocator<long>(fa);
        sum += fa::frame_allocator<int>(fa) != fa::frame_allocator<long>(fa);

        fa::frame_ptr<Item> fp = fa::frame_new<Item>(fa, 1.0);
        fa::span<int> sp = fa::frame_array<int>(fa, 8);
        fa::span<const int> csp = sp;
        for (int x : csp.subspan(1, 2)) sum += x;
        sum += static_cast<int>(csp.first(1).size() + csp.last(1).size()) + sp.front() + sp.back();
        sum += fp ? static_cast<int>(fp->x) : 0;
    }
    fa::pool_resource pres(fa);
    std::pmr::vector<Item> items(&pres);
    items.emplace_back(2.0);
    Item *it = fa::pool_new<Item>(fa, 3.0);
    Line *pl = FA_POOL_NEW(fa, Line);
    sum += it != nullptr && pl != nullptr;
    fa::pool_delete(fa, it);
    fa_pool_free(fa, pl);
    return sum;
}
