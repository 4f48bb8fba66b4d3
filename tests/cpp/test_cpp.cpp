// SPDX-License-Identifier: MIT
// The C++ layer (framealloc.hpp): scopes, memory resources, the frame allocator with standard
// containers, typed pool and frame objects, span. Built against the release and the debug
// library; FA_DEBUG (a public definition of the library target) tells which.
#include <framealloc.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// Every status the allocator reports, in order.
struct Recorder {
    std::vector<fa_status> seen;
    static void handler(const fa_error *err, void *user) {
        static_cast<Recorder *>(user)->seen.push_back(err->status);
    }
    size_t count(fa_status st) const {
        size_t n = 0;
        for (fa_status s : seen) n += s == st;
        return n;
    }
};

// ASan forces the frame slow path, debug builds pad allocations with redzones: byte-exact
// layout expectations hold in plain release builds only.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool plain_release = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool plain_release = false;
#else
constexpr bool plain_release = FA_DEBUG == 0;
#endif
#else
constexpr bool plain_release = FA_DEBUG == 0;
#endif

bool aligned_to(const void *p, size_t align) {
    return reinterpret_cast<std::uintptr_t>(p) % align == 0;
}

class Cpp : public ::testing::Test {
protected:
    void SetUp() override { fa = make(0); }
    void TearDown() override {
        fa_stats st;
        fa_get_stats(fa, &st);
        EXPECT_EQ(st.pool_count, 0u) << "pool objects leaked";
        EXPECT_EQ(st.heap_count, 0u) << "heap blocks leaked";
        fa_destroy(fa);
        EXPECT_EQ(rec.count(FA_ERR_LEAK), 0u);
        EXPECT_EQ(rec.count(FA_ERR_DESTROY_IN_FRAME), 0u);
    }
    fa_alloc *make(unsigned max_depth) {
        fa_config cfg{};
        cfg.error_handler = &Recorder::handler;
        cfg.error_user = &rec;
        cfg.max_frame_depth = max_depth;
        cfg.name = "cpp-test";
        fa_alloc *a = fa_create(&cfg);
        EXPECT_NE(a, nullptr);
        return a;
    }
    fa_thread_stats me() {
        fa_thread_stats t;
        fa_get_my_thread_stats(fa, &t);
        return t;
    }

    Recorder rec;
    fa_alloc *fa = nullptr;
};

// Counts constructions and destructions of live objects.
struct Tracked {
    static int alive, destroyed;
    int value;
    explicit Tracked(int v) : value(v) { alive++; }
    ~Tracked() {
        alive--;
        destroyed++;
    }
    Tracked(const Tracked &) = delete;
    Tracked &operator=(const Tracked &) = delete;
};
int Tracked::alive = 0;
int Tracked::destroyed = 0;

struct alignas(256) Wide {
    unsigned char bytes[256];
    int tag = 7;
};

struct Throws {
    explicit Throws(int v) {
        if (v < 0) throw std::runtime_error("constructor failed");
    }
};

// A base that is not the first subobject, so its address differs from the object's.
struct Other {
    virtual ~Other() = default;
    long pad[3] = {1, 2, 3};
};
struct Base {
    virtual ~Base() = default;
    int id = 1;
};
struct Derived : Other, Base {
    explicit Derived(int *dtors) : dtors_(dtors) {}
    ~Derived() override { ++*dtors_; }
    int *dtors_;
};

// ---- FrameScope ----------------------------------------------------------------------------

TEST_F(Cpp, FrameScopeBeginsAndEndsNestedScopes) {
    EXPECT_EQ(fa_frame_depth(fa), 0u);
    uint64_t before = fa_frame_number(fa);
    {
        fa::FrameScope outer(fa);
        EXPECT_EQ(fa_frame_depth(fa), 1u);
        EXPECT_EQ(outer.allocator(), fa);
        void *keep = fa_frame_alloc(fa, 1000, 16);
        ASSERT_NE(keep, nullptr);
        size_t outer_bytes = me().frame_bytes;
        {
            fa::FrameScope inner(fa);
            EXPECT_EQ(fa_frame_depth(fa), 2u);
            ASSERT_NE(fa_frame_alloc(fa, 5000, 16), nullptr);
            EXPECT_GE(me().frame_bytes, outer_bytes + 5000);
        }
        EXPECT_EQ(fa_frame_depth(fa), 1u);
        EXPECT_EQ(me().frame_bytes, outer_bytes) << "the inner scope's memory is released";
        EXPECT_EQ(fa_check_ptr(fa, keep), FA_OK) << "the outer scope's memory is not";
    }
    EXPECT_EQ(fa_frame_depth(fa), 0u);
    EXPECT_EQ(fa_frame_number(fa), before + 1);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameScopeEndsWhenAnExceptionLeavesIt) {
    try {
        fa::FrameScope s(fa);
        ASSERT_EQ(fa_frame_depth(fa), 1u);
        throw std::runtime_error("leave");
    } catch (const std::runtime_error &) {
    }
    EXPECT_EQ(fa_frame_depth(fa), 0u);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameScopeBeyondMaxDepthKeepsOuterScopesPaired) {
    fa_alloc *shallow = make(2);
    {
        fa::FrameScope a(shallow);
        fa::FrameScope b(shallow);
        {
            fa::FrameScope c(shallow); // over the limit: reported, not opened
            EXPECT_EQ(fa_frame_depth(shallow), 2u);
            EXPECT_EQ(rec.count(FA_ERR_NESTING_TOO_DEEP), 1u);
        }
        EXPECT_EQ(fa_frame_depth(shallow), 2u) << "the absorbed end must not close b";
    }
    EXPECT_EQ(fa_frame_depth(shallow), 0u);
    EXPECT_EQ(rec.count(FA_ERR_END_WITHOUT_BEGIN), 0u);
    fa_destroy(shallow);
}

TEST_F(Cpp, FrameScopeOnNullAllocatorIsReported) {
    Recorder global;
    fa_set_global_error_handler(&Recorder::handler, &global);
    { fa::FrameScope s(nullptr); }
    fa_set_global_error_handler(nullptr, nullptr);
    EXPECT_EQ(global.count(FA_ERR_INVALID_ARGUMENT), 2u) << "begin and end both report";
    EXPECT_EQ(fa_frame_depth(fa), 0u);
}

// ---- TagScope ------------------------------------------------------------------------------

TEST_F(Cpp, TagScopePushesAndPops) {
    fa_tag physics = fa_tag_register(fa, "physics");
    ASSERT_NE(physics, 0u);
    EXPECT_EQ(fa_tag_current(fa), 0u);
    {
        fa::TagScope t(fa, physics);
        EXPECT_TRUE(t.pushed());
        EXPECT_EQ(fa_tag_current(fa), physics);
        {
            fa::TagScope named(fa, "audio");
            EXPECT_EQ(fa_tag_current(fa), fa_tag_register(fa, "audio"));
            EXPECT_NE(fa_tag_current(fa), physics);
        }
        EXPECT_EQ(fa_tag_current(fa), physics);
    }
    EXPECT_EQ(fa_tag_current(fa), 0u);
    EXPECT_TRUE(rec.seen.empty());
}

// ---- PhaseScope ----------------------------------------------------------------------------

static bool charge_physics(fa_alloc *fa, bool leave_early) {
    fa::PhaseScope phase(fa, "physics");
    if (fa_frame_alloc(fa, 4096, 16) == nullptr) return false;
    if (leave_early) return true; /* the destructor ends the phase on this path too */
    void *h = fa_heap_alloc(fa, 100, 16);
    fa_heap_free(fa, h);
    return h != nullptr;
}

TEST_F(Cpp, PhaseScopeChargesItsScopeOnEveryWayOut) {
    {
        fa::FrameScope frame(fa);
        ASSERT_TRUE(charge_physics(fa, false));
        ASSERT_TRUE(charge_physics(fa, true));
        try {
            fa::PhaseScope render(fa, "render");
            ASSERT_NE(fa_frame_alloc(fa, 1024, 16), nullptr);
            throw 42;
        } catch (int) {
        }
        fa::PhaseScope after(fa, "audio"); /* ends before the frame: declared after it */
    }
    fa_phase_stats st{};
    ASSERT_EQ(fa_get_phase_stats(fa, "physics", &st), FA_OK);
    EXPECT_EQ(st.runs, 2u);
    EXPECT_GE(st.frame_bytes, 2u * 4096u);
    EXPECT_EQ(st.heap_count, 1u);
    ASSERT_EQ(fa_get_phase_stats(fa, "render", &st), FA_OK);
    EXPECT_EQ(st.runs, 1u);
    EXPECT_GE(st.frame_bytes, 1024u);
    EXPECT_TRUE(rec.seen.empty()) << "every phase ended exactly once";
}

TEST_F(Cpp, PhaseScopeWithBadArgumentsEndsNothing) {
    fa::FrameScope frame(fa);
    fa::PhaseScope outer(fa, "outer");
    {
        fa::PhaseScope empty(fa, ""); /* reported; its destructor must not end "outer" */
    }
    EXPECT_EQ(rec.count(FA_ERR_INVALID_ARGUMENT), 1u);
    rec.seen.clear();
    fa_phase_end(fa); /* "outer" is still open: ending it here reports nothing */
    EXPECT_TRUE(rec.seen.empty());
    fa_phase_begin(fa, "outer"); /* for outer's destructor */
}

TEST_F(Cpp, TagScopeWithUnknownTagLeavesTheOuterTagCurrent) {
    fa_tag physics = fa_tag_register(fa, "physics");
    fa::TagScope outer(fa, physics);
    {
        fa::TagScope bogus(fa, static_cast<fa_tag>(999));
        EXPECT_FALSE(bogus.pushed());
        EXPECT_EQ(rec.count(FA_ERR_INVALID_ARGUMENT), 1u);
        EXPECT_EQ(fa_tag_current(fa), physics);
    }
    EXPECT_EQ(fa_tag_current(fa), physics) << "the bogus scope must not pop the outer tag";
    EXPECT_EQ(rec.seen.size(), 1u);
}

// ---- frame_resource ------------------------------------------------------------------------

TEST_F(Cpp, FrameResourceHoldsPmrContainersInFrameMemory) {
    fa::frame_resource res(fa);
    fa::FrameScope s(fa);
    size_t before = me().frame_bytes;
    std::pmr::vector<int> v(&res);
    for (int i = 0; i < 1000; i++) v.push_back(i);
    std::pmr::string str("a string long enough to leave the small-string buffer behind", &res);
    std::pmr::unordered_map<int, std::pmr::string> m(&res);
    for (int i = 0; i < 100; i++) m.emplace(i, std::pmr::string(64, 'x', &res));
    EXPECT_EQ(v[999], 999);
    EXPECT_EQ(m.at(42).size(), 64u);
    EXPECT_GE(me().frame_bytes, before + 1000 * sizeof(int) + 100 * 64);
    EXPECT_EQ(fa_check_ptr(fa, v.data()), FA_OK);
    EXPECT_EQ(fa_pool_usable_size(fa, v.data()), 0u) << "not a pool object";
    EXPECT_EQ(fa_heap_size(fa, str.data()), 0u) << "not a heap block";
    fa_stats st;
    fa_get_stats(fa, &st);
    EXPECT_EQ(st.pool_count + st.heap_count, 0u);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameResourceHonoursAlignmentAndIgnoresDeallocate) {
    fa::frame_resource res(fa);
    fa::FrameScope s(fa);
    for (size_t align : {1u, 8u, 64u, 256u, 4096u}) {
        void *p = res.allocate(24, align);
        EXPECT_TRUE(aligned_to(p, align)) << align;
        size_t bytes = me().frame_bytes;
        res.deallocate(p, 24, align);
        EXPECT_EQ(me().frame_bytes, bytes) << "deallocate gives nothing back";
    }
    EXPECT_NE(res.allocate(0, 8), nullptr) << "size 0 is served as 1 byte";
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameResourceThrowsBadAllocAndReports) {
    fa::frame_resource res(fa);
    EXPECT_THROW(static_cast<void>(res.allocate(16, 16)), std::bad_alloc) << "no open frame";
    EXPECT_EQ(rec.count(FA_ERR_NO_FRAME), 1u);
    fa::FrameScope s(fa);
    EXPECT_THROW(static_cast<void>(res.allocate(16, FA_MAX_ALIGN * 2)), std::bad_alloc);
    EXPECT_EQ(rec.count(FA_ERR_BAD_ALIGN), 1u);
}

TEST_F(Cpp, MemoryResourceEquality) {
    fa_alloc *other = make(0);
    fa::frame_resource a(fa), b(fa), c(other);
    fa::pool_resource p(fa), q(fa), r(other);
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == c);
    EXPECT_TRUE(p == q);
    EXPECT_FALSE(p == r);
    EXPECT_FALSE(static_cast<std::pmr::memory_resource &>(a) == p);
    fa_destroy(other);
}

// ---- pool_resource -------------------------------------------------------------------------

TEST_F(Cpp, PoolResourceRoutesBySizeAndAlignment) {
    fa::pool_resource res(fa);
    struct Case {
        size_t size, align;
        bool pooled;
    } cases[] = {{24, 8, true},     {FA_POOL_MAX_SIZE, 16, true}, {100, 4096, true},
                 {FA_POOL_MAX_SIZE + 1, 16, false}, {100, 8192, false}, {1 << 20, 64, false}};
    for (const Case &c : cases) {
        void *p = res.allocate(c.size, c.align);
        EXPECT_TRUE(aligned_to(p, c.align)) << c.size << "/" << c.align;
        if (c.pooled) {
            EXPECT_GE(fa_pool_usable_size(fa, p), c.size) << c.size << "/" << c.align;
            EXPECT_EQ(fa_heap_size(fa, p), 0u);
        } else {
            EXPECT_EQ(fa_heap_size(fa, p), c.size) << c.size << "/" << c.align;
            EXPECT_EQ(fa_pool_usable_size(fa, p), 0u);
        }
        res.deallocate(p, c.size, c.align);
    }
    fa_stats st;
    fa_get_stats(fa, &st);
    EXPECT_EQ(st.pool_count + st.heap_count, 0u) << "deallocate frees by the same route";
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, PoolResourceBacksLongLivedPmrContainers) {
    fa::pool_resource res(fa);
    {
        std::pmr::vector<std::pmr::string> names(&res);
        for (int i = 0; i < 3000; i++) names.emplace_back(40, static_cast<char>('a' + i % 26));
        EXPECT_EQ(names[2999][0], 'a' + 2999 % 26);
        fa_stats st;
        fa_get_stats(fa, &st);
        EXPECT_GE(st.pool_count, 3000u) << "the strings are pool objects";
        EXPECT_GE(st.heap_count, 1u) << "the grown vector buffer is a heap block";
    }
    EXPECT_TRUE(rec.seen.empty());
}

// ---- frame_allocator -----------------------------------------------------------------------

template <class T>
using fvec = std::vector<T, fa::frame_allocator<T>>;
using fstring = std::basic_string<char, std::char_traits<char>, fa::frame_allocator<char>>;
using fmap = std::unordered_map<int, fstring, std::hash<int>, std::equal_to<int>,
                                fa::frame_allocator<std::pair<const int, fstring>>>;

static_assert(std::is_same_v<std::allocator_traits<fa::frame_allocator<int>>::rebind_alloc<long>,
                             fa::frame_allocator<long>>);

TEST_F(Cpp, FrameAllocatorWorksWithStandardContainers) {
    fa::FrameScope s(fa);
    size_t before = me().frame_bytes;
    fa::frame_allocator<int> alloc(fa);
    fvec<int> v(alloc);
    for (int i = 0; i < 1000; i++) v.push_back(i * 2);
    fstring str("a long string that certainly does not fit the small buffer",
                fa::frame_allocator<char>(fa));
    fmap m(16, std::hash<int>(), std::equal_to<int>(), fmap::allocator_type(fa));
    for (int i = 0; i < 500; i++) m.emplace(i, fstring(32, 'k', fa::frame_allocator<char>(fa)));
    EXPECT_EQ(v[500], 1000);
    EXPECT_EQ(m.at(250).size(), 32u);
    EXPECT_EQ(str.compare(0, 6, "a long"), 0);
    EXPECT_GE(me().frame_bytes, before + 1000 * sizeof(int) + 500 * 32);
    EXPECT_EQ(fa_check_ptr(fa, v.data()), FA_OK);
    fa_stats st;
    fa_get_stats(fa, &st);
    EXPECT_EQ(st.pool_count + st.heap_count, 0u);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameAllocatorAlignmentAndEquality) {
    fa::FrameScope s(fa);
    fvec<Wide> w{fa::frame_allocator<Wide>(fa)};
    w.resize(5);
    EXPECT_TRUE(aligned_to(w.data(), 256));
    EXPECT_EQ(w[4].tag, 7);

    fa_alloc *other = make(0);
    fa::frame_allocator<int> a(fa);
    fa::frame_allocator<double> b(fa);
    fa::frame_allocator<int> c(other);
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a != b);
    EXPECT_TRUE(a != c);
    fa::frame_allocator<double> rebound(a);
    EXPECT_EQ(rebound.allocator(), fa);
    fa_destroy(other);
}

TEST_F(Cpp, FrameAllocatorThrowsOutsideAFrameAndOnOverflow) {
    fa::frame_allocator<int> a(fa);
    EXPECT_THROW(a.allocate(4), std::bad_alloc);
    EXPECT_EQ(rec.count(FA_ERR_NO_FRAME), 1u);
    fa::FrameScope s(fa);
    EXPECT_THROW(a.allocate(SIZE_MAX / 2), std::bad_alloc);
    EXPECT_EQ(rec.count(FA_ERR_OVERFLOW), 1u);
}

// ---- pool_new / pool_delete ----------------------------------------------------------------

TEST_F(Cpp, PoolNewConstructsAndPoolDeleteDestroysAndFrees) {
    Tracked::alive = Tracked::destroyed = 0;
    Tracked *t = fa::pool_new<Tracked>(fa, 42);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->value, 42);
    EXPECT_EQ(Tracked::alive, 1);
    EXPECT_GE(fa_pool_usable_size(fa, t), sizeof(Tracked));
    fa::pool_delete(fa, t);
    EXPECT_EQ(Tracked::alive, 0);
    EXPECT_EQ(Tracked::destroyed, 1);
    fa::pool_delete(fa, static_cast<Tracked *>(nullptr));
    EXPECT_EQ(Tracked::destroyed, 1);

    Wide *w = fa::pool_new<Wide>(fa);
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(aligned_to(w, 256));
    EXPECT_EQ(w->tag, 7);
    fa::pool_delete(fa, w);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, PoolNewFreesTheObjectWhenTheConstructorThrows) {
    EXPECT_THROW(fa::pool_new<Throws>(fa, -1), std::runtime_error);
    fa_stats st;
    fa_get_stats(fa, &st);
    EXPECT_EQ(st.pool_count, 0u);
    Throws *ok = fa::pool_new<Throws>(fa, 1);
    ASSERT_NE(ok, nullptr);
    fa::pool_delete(fa, ok);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, PoolDeleteThroughABasePointerFreesTheWholeObject) {
    int dtors = 0;
    Derived *d = fa::pool_new<Derived>(fa, &dtors);
    ASSERT_NE(d, nullptr);
    Base *b = d;
    ASSERT_NE(static_cast<void *>(b), static_cast<void *>(d)) << "test needs an offset base";
    fa::pool_delete(fa, b);
    EXPECT_EQ(dtors, 1);
    EXPECT_TRUE(rec.seen.empty()) << "the object start, not the base, was freed";
}

TEST_F(Cpp, PoolDeleteOfAGarbagePointerIsReportedAndRunsNoDestructor) {
    Tracked::alive = Tracked::destroyed = 0;
    fa::pool_delete(fa, reinterpret_cast<Tracked *>(std::uintptr_t{1}));
    EXPECT_EQ(Tracked::destroyed, 0);
    EXPECT_EQ(rec.seen.size(), 1u);
    EXPECT_NE(rec.seen.at(0), FA_OK);
}

TEST_F(Cpp, PoolDeleteTwiceIsCaughtBeforeTheDestructorInDebugBuilds) {
    if (FA_DEBUG < 1) GTEST_SKIP() << "release builds check ownership only";
    Tracked::alive = Tracked::destroyed = 0;
    Tracked *t = fa::pool_new<Tracked>(fa, 1);
    fa::pool_delete(fa, t);
    fa::pool_delete(fa, t);
    EXPECT_EQ(Tracked::destroyed, 1);
    EXPECT_EQ(rec.seen.size(), 1u);
}

// ---- frame_new / frame_ptr -----------------------------------------------------------------

TEST_F(Cpp, FrameNewRunsTheDestructorAndLeavesTheMemoryToTheFrame) {
    Tracked::alive = Tracked::destroyed = 0;
    fa::FrameScope s(fa);
    size_t before = me().frame_bytes;
    {
        fa::frame_ptr<Tracked> p = fa::frame_new<Tracked>(fa, 5);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->value, 5);
        EXPECT_EQ(Tracked::alive, 1);
        EXPECT_EQ(fa_check_ptr(fa, p.get()), FA_OK);
        EXPECT_GT(me().frame_bytes, before);
    }
    EXPECT_EQ(Tracked::destroyed, 1);
    EXPECT_GT(me().frame_bytes, before) << "the memory stays until the scope ends";
    fa::frame_ptr<Wide> w = fa::frame_new<Wide>(fa);
    EXPECT_TRUE(aligned_to(w.get(), 256));

    int dtors = 0;
    { fa::frame_ptr<Base> b = fa::frame_new<Derived>(fa, &dtors); }
    EXPECT_EQ(dtors, 1) << "a frame_ptr<Base> runs the virtual destructor";
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameNewOutsideAFrameIsEmptyAndReported) {
    Tracked::alive = 0;
    fa::frame_ptr<Tracked> p = fa::frame_new<Tracked>(fa, 1);
    EXPECT_FALSE(p);
    EXPECT_EQ(Tracked::alive, 0);
    EXPECT_EQ(rec.count(FA_ERR_NO_FRAME), 1u);
}

TEST_F(Cpp, FrameNewPropagatesAConstructorException) {
    fa::FrameScope s(fa);
    EXPECT_THROW(fa::frame_new<Throws>(fa, -1), std::runtime_error);
    EXPECT_TRUE(rec.seen.empty());
}

// ---- span / frame_array --------------------------------------------------------------------

TEST_F(Cpp, FrameArrayAndSpan) {
    fa::FrameScope s(fa);
    fa::span<int> a = fa::frame_array<int>(fa, 100);
    ASSERT_EQ(a.size(), 100u);
    EXPECT_EQ(a.size_bytes(), 100 * sizeof(int));
    int sum = 0;
    for (int x : a) sum += x;
    EXPECT_EQ(sum, 0) << "value-initialised";
    for (size_t i = 0; i < a.size(); i++) a[i] = static_cast<int>(i);
    EXPECT_EQ(a.front(), 0);
    EXPECT_EQ(a.back(), 99);
    EXPECT_EQ(a.first(10).back(), 9);
    EXPECT_EQ(a.last(10).front(), 90);
    EXPECT_EQ(a.subspan(95).size(), 5u);
    EXPECT_EQ(a.subspan(10, 3)[2], 12);
    EXPECT_EQ(*a.rbegin(), 99);
    fa::span<const int> c = a;
    EXPECT_EQ(c.data(), a.data());

    std::vector<int> v{1, 2, 3};
    fa::span<int> vs = v;
    EXPECT_EQ(vs.size(), 3u);
    EXPECT_EQ(vs.data(), v.data());
    int raw[4] = {4, 5, 6, 7};
    fa::span<int> rs = raw;
    EXPECT_EQ(rs.size(), 4u);

    fa::span<Wide> w = fa::frame_array<Wide>(fa, 3);
    EXPECT_TRUE(aligned_to(w.data(), 256));
    EXPECT_EQ(w[2].tag, 7);

    EXPECT_TRUE(fa::frame_array<int>(fa, 0).empty());
    EXPECT_TRUE(rec.seen.empty()) << "an empty array is not an error";
}

// ---- use after a FrameScope closes ---------------------------------------------------------

TEST_F(Cpp, DebugBuildsReportUseAfterTheFrameScopeCloses) {
    if (FA_DEBUG < 1) GTEST_SKIP() << "use-after-frame detection needs a debug library";
    int *dead = nullptr;
    {
        fa::FrameScope s(fa);
        dead = fa::frame_array<int>(fa, 16).data();
        EXPECT_EQ(fa_check_ptr(fa, dead), FA_OK);
    }
    EXPECT_EQ(fa_check_ptr(fa, dead), FA_ERR_USE_AFTER_FRAME);
    EXPECT_EQ(fa_promote_to_pool(fa, dead, 16), nullptr);
    EXPECT_EQ(rec.count(FA_ERR_USE_AFTER_FRAME), 2u);
}

// ---- frame_vector / frame_map -------------------------------------------------------------

struct Contact {
    std::uint32_t a, b;
    float depth;
};

TEST_F(Cpp, FrameVectorGrowsKeepsElementsAndLivesInTheFrame) {
    fa::FrameScope s(fa);
    fa::frame_vector<Contact> contacts(fa);
    fa::frame_vector<std::uint64_t> ids(fa, 8);
    EXPECT_TRUE(contacts.empty());
    EXPECT_GE(ids.capacity(), 8u);
    for (std::uint32_t i = 0; i < 5000; i++) {
        ASSERT_TRUE(contacts.push_back(Contact{i, i + 1, static_cast<float>(i) * 0.5f}));
        ASSERT_NE(ids.emplace_back(std::uint64_t{i} << 32), nullptr); // interleaved growth
    }
    ASSERT_EQ(contacts.size(), 5000u);
    ASSERT_EQ(ids.size(), 5000u);
    std::uint64_t sum = 0;
    for (const Contact &c : contacts) sum += c.b - c.a;
    EXPECT_EQ(sum, 5000u);
    EXPECT_EQ(contacts[4321].a, 4321u);
    EXPECT_EQ(contacts.back().b, 5000u);
    EXPECT_EQ(ids[17], std::uint64_t{17} << 32);
    EXPECT_TRUE(aligned_to(ids.data(), alignof(std::uint64_t)));
    EXPECT_GE(me().frame_bytes, 5000 * (sizeof(Contact) + sizeof(std::uint64_t)))
        << "the elements are frame memory";
    if (plain_release) {
        EXPECT_LE(me().frame_bytes, 2 * 5000 * (sizeof(Contact) + sizeof(std::uint64_t)) + 4096)
            << "two vectors filled in turn stay within about twice their bytes";
    }
    fa::span<Contact> v = contacts.view();
    EXPECT_EQ(v.size(), 5000u);
    contacts.pop_back();
    EXPECT_EQ(contacts.size(), 4999u);
    ASSERT_TRUE(contacts.push_back(Contact{7, 7, 0.0f}));
    EXPECT_EQ(contacts[4999].a, 7u);
    contacts.clear();
    EXPECT_TRUE(contacts.empty());
    EXPECT_EQ(contacts.reserve(100), FA_OK);
    EXPECT_TRUE(rec.seen.empty());
}

TEST_F(Cpp, FrameVectorWithoutAFrameRefusesAndReports) {
    // A vector whose initialisation failed cannot name its allocator; pushes into it are
    // reported to the process-wide handler.
    Recorder global;
    fa_set_global_error_handler(&Recorder::handler, &global);
    {
        fa::frame_vector<int> v(fa); // no frame open: reported, unusable
        EXPECT_EQ(rec.count(FA_ERR_NO_FRAME), 1u);
        EXPECT_FALSE(v.push_back(1));
        EXPECT_EQ(v.emplace_back(2), nullptr);
        EXPECT_EQ(v.size(), 0u);
        EXPECT_EQ(v.data(), nullptr);
    }
    fa_set_global_error_handler(nullptr, nullptr);
    EXPECT_EQ(global.count(FA_ERR_INVALID_ARGUMENT), 2u);
}

TEST_F(Cpp, FrameVectorOverTheFrameLimitFailsCleanly) {
    fa_config cfg{};
    cfg.error_handler = &Recorder::handler;
    cfg.error_user = &rec;
    cfg.frame_limit = 64 << 10;
    fa_alloc *small = fa_create(&cfg);
    ASSERT_NE(small, nullptr);
    {
        fa::FrameScope s(small);
        fa::frame_vector<std::uint32_t> v(small);
        std::size_t pushed = 0;
        while (v.push_back(static_cast<std::uint32_t>(pushed))) pushed++;
        EXPECT_GT(pushed, 1000u);
        EXPECT_LT(pushed, (64u << 10) / sizeof(std::uint32_t));
        EXPECT_EQ(v.size(), pushed) << "a refused push leaves the vector as it was";
        for (std::size_t i = 0; i < v.size(); i++) ASSERT_EQ(v[i], i);
        EXPECT_EQ(rec.count(FA_ERR_FRAME_LIMIT), 1u);
    }
    fa_destroy(small);
}

TEST_F(Cpp, FrameMapInsertsFindsErasesAndIterates) {
    fa::FrameScope s(fa);
    fa::frame_map<Contact> m(fa);
    for (std::uint64_t e = 1; e <= 3000; e++)
        ASSERT_TRUE(m.insert_or_assign(e * 0x9e3779b97f4a7c15ull,
                                       Contact{static_cast<std::uint32_t>(e), 0, 1.0f}));
    EXPECT_EQ(m.size(), 3000u);
    Contact *c = m.find(42 * 0x9e3779b97f4a7c15ull);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->a, 42u);
    EXPECT_EQ(m.find(12345), nullptr);
    EXPECT_FALSE(m.contains(0)) << "key 0 is an ordinary key, absent here";
    Contact *zero = m.try_emplace(0);
    ASSERT_NE(zero, nullptr);
    EXPECT_EQ(zero->a, 0u);
    EXPECT_EQ(zero->depth, 0.0f) << "new entries start zero-filled";
    EXPECT_TRUE(m.contains(0));
    EXPECT_EQ(m.erase(0), 1u);
    EXPECT_EQ(m.erase(0), 0u);
    // erase every odd entity while iterating; every entry is visited once
    std::size_t visited = 0;
    std::uint64_t keysum = 0;
    m.for_each([&](std::uint64_t key, Contact &v) {
        visited++;
        keysum += v.a;
        if (v.a % 2 == 1) m.erase(key);
    });
    EXPECT_EQ(visited, 3000u);
    EXPECT_EQ(keysum, 3000u * 3001u / 2);
    EXPECT_EQ(m.size(), 1500u);
    EXPECT_EQ(m.find(41 * 0x9e3779b97f4a7c15ull), nullptr);
    EXPECT_NE(m.find(40 * 0x9e3779b97f4a7c15ull), nullptr);
    EXPECT_TRUE(rec.seen.empty());
}

using CppDeathTest = Cpp;

TEST_F(CppDeathTest, DebugBuildsStopATouchOfAClosedScopesMemory) {
    if (FA_DEBUG < 1) GTEST_SKIP() << "guard mode needs a debug library";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // The default handler of a debug build aborts on misuse; guard mode faults at the access.
    fa_alloc *plain = fa_create(nullptr);
    ASSERT_NE(plain, nullptr);
    volatile int *dead = nullptr;
    {
        fa::FrameScope s(plain);
        dead = fa::frame_array<int>(plain, 1024).data();
        dead[0] = 1;
    }
    EXPECT_DEATH(fa_promote_to_pool(plain, const_cast<int *>(dead), 16), "FA_ERR_USE_AFTER_FRAME");
    EXPECT_DEATH(dead[0] = 2, "");
    fa_destroy(plain);
}

} // namespace
