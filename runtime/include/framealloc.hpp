// SPDX-License-Identifier: MIT
/*
 * framealloc.hpp - header-only C++17 layer over framealloc.h (namespace fa).
 *
 *   FrameScope         RAII frame scope: the constructor begins one, the destructor ends it.
 *   TagScope           RAII tag push / pop.
 *   frame_resource     std::pmr::memory_resource over the calling thread's innermost frame
 *                      scope; deallocation is a no-op (the scope's end frees everything).
 *   pool_resource      std::pmr::memory_resource over the pools; requests above
 *                      FA_POOL_MAX_SIZE or pool_max_align go to the tracked heap.
 *   frame_allocator<T> standard allocator over frame memory (std::vector, std::basic_string,
 *                      std::unordered_map...); deallocate is a no-op.
 *   pool_new / pool_delete   typed pool objects (constructor and destructor run).
 *   frame_new / frame_ptr    typed frame objects whose destructor runs when the holder goes;
 *                      the memory goes with the frame scope.
 *   frame_array / span       arrays of trivially destructible objects in frame memory.
 *   frame_vector<T>    typed growable array over fa_frame_vec (trivially copyable T).
 *   frame_map<V>       typed uint64_t -> V hash map over fa_frame_map (trivially copyable V).
 *
 * Failures: the typed helpers behave like the C API (null result; the allocator's error handler
 * has been told). The allocator and memory-resource interfaces throw std::bad_alloc, as the
 * standard library requires (std::abort without exceptions); the error handler is told first.
 *
 * Frame memory dies when its scope ends: every container, frame_ptr and span over it must be
 * gone (or never used again) by the end of the scope, on the thread that allocated it. Debug
 * builds (FA_DEBUG >= 1) report a use through fa_check_ptr and guard mode; see docs/cpp.md.
 */
#ifndef FRAMEALLOC_HPP
#define FRAMEALLOC_HPP

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "framealloc.hpp needs C++17 or later"
#endif

#include <framealloc.h>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <memory_resource>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define FAI_CXX_EXCEPTIONS 1
#else
#define FAI_CXX_EXCEPTIONS 0
#endif

#if defined(__cpp_rtti) || defined(__GXX_RTTI)
#define FAI_CXX_RTTI 1
#else
#define FAI_CXX_RTTI 0
#endif

namespace fa {

using tag = ::fa_tag;
using status = ::fa_status;

/* Largest alignment the pools serve (fa_pool_alloc_aligned); larger goes to the heap. */
inline constexpr std::size_t pool_max_align = 4096;

namespace detail {

[[noreturn]] inline void throw_bad_alloc() {
#if FAI_CXX_EXCEPTIONS
    throw std::bad_alloc();
#else
    std::abort();
#endif
}

/* The address a pool object was allocated at: a pointer to a base subobject of a polymorphic
 * type may point inside it. */
template <class T>
inline void *object_start(T *p) noexcept {
#if FAI_CXX_RTTI
    if constexpr (std::is_polymorphic_v<T>) {
        return const_cast<void *>(dynamic_cast<const volatile void *>(p));
    } else
#endif
    {
        return const_cast<void *>(static_cast<const volatile void *>(p));
    }
}

inline bool pooled(std::size_t bytes, std::size_t align) noexcept {
    return bytes <= FA_POOL_MAX_SIZE && align <= pool_max_align;
}

} // namespace detail

/* ------------------------------------------------------------------------------------------ */
/* Scopes                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* A frame scope on the calling thread for the lifetime of the object. Not copyable or movable:
 * frame scopes are LIFO per thread, so the guard must stay where it was made. A failed begin
 * (NULL allocator, nesting beyond max_frame_depth) is reported by the library, which also
 * absorbs the matching end, so outer scopes stay paired. */
class FrameScope {
public:
    explicit FrameScope(fa_alloc *fa) FA_BEGINS_FRAME_ON(fa) : fa_(fa) { fa_begin_frame(fa); }
    ~FrameScope() FA_ENDS_FRAME { fa_end_frame(fa_); }

    FrameScope(const FrameScope &) = delete;
    FrameScope(FrameScope &&) = delete;
    FrameScope &operator=(const FrameScope &) = delete;
    FrameScope &operator=(FrameScope &&) = delete;

    fa_alloc *allocator() const noexcept { return fa_; }

private:
    fa_alloc *fa_;
};

/* Allocations on the calling thread are charged to a tag for the lifetime of the object. An
 * unknown tag is reported and pushes nothing, so the destructor pops nothing either and the
 * enclosing tag stays current. */
class TagScope {
public:
    TagScope(fa_alloc *fa, fa_tag t) : scope_(fai_tag_scope_enter(fa, t)) {}
    /* Registers (or finds) the tag by name first. */
    TagScope(fa_alloc *fa, const char *name) : TagScope(fa, fa_tag_register(fa, name)) {}
    ~TagScope() { fai_tag_scope_leave(&scope_); }

    TagScope(const TagScope &) = delete;
    TagScope(TagScope &&) = delete;
    TagScope &operator=(const TagScope &) = delete;
    TagScope &operator=(TagScope &&) = delete;

    /* False when the tag was unknown and nothing was pushed. */
    bool pushed() const noexcept { return scope_.fa != nullptr; }

private:
    fai_tag_scope scope_; /* what to pop at the end; scope_.fa is null when nothing was pushed */
};

/* A phase of the calling thread's frame ("physics", "render") for the lifetime of the object:
 * fa_phase_begin in the constructor, fa_phase_end in the destructor (every way out of the scope,
 * exceptions included). A begin the library refuses (too many names, nested too deep) is
 * reported and its end absorbed, so outer phases stay paired; a null allocator or an empty name
 * opens nothing and ends nothing. Phases do not open frames: the analyzer's checks ignore them. */
class PhaseScope {
public:
    PhaseScope(fa_alloc *fa, const char *name)
        : fa_(fa != nullptr && name != nullptr && name[0] != '\0' ? fa : nullptr) {
        if (fa_ != nullptr)
            fa_phase_begin(fa_, name);
        else
            fa_phase_begin(fa, name); /* reports the bad argument */
    }
    ~PhaseScope() {
        if (fa_ != nullptr) fa_phase_end(fa_);
    }

    PhaseScope(const PhaseScope &) = delete;
    PhaseScope(PhaseScope &&) = delete;
    PhaseScope &operator=(const PhaseScope &) = delete;
    PhaseScope &operator=(PhaseScope &&) = delete;

private:
    fa_alloc *fa_; /* the allocator whose phase ends with the scope, or null */
};

/* ------------------------------------------------------------------------------------------ */
/* Memory resources                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Allocates in the calling thread's innermost frame scope open at each allocation. */
class frame_resource final : public std::pmr::memory_resource {
public:
    explicit frame_resource(fa_alloc *fa) noexcept : fa_(fa) {}
    fa_alloc *allocator() const noexcept { return fa_; }

private:
    void *do_allocate(std::size_t bytes, std::size_t align) FA_RETURNS_FRAME override {
        void *p = fa_frame_alloc(fa_, bytes != 0 ? bytes : 1, align);
        if (p == nullptr) detail::throw_bad_alloc();
        return p;
    }
    void do_deallocate(void *, std::size_t, std::size_t) noexcept override {}
    bool do_is_equal(const std::pmr::memory_resource &other) const noexcept override {
        if (this == &other) return true;
#if FAI_CXX_RTTI
        const auto *o = dynamic_cast<const frame_resource *>(&other);
        return o != nullptr && o->fa_ == fa_;
#else
        return false;
#endif
    }

    fa_alloc *fa_;
};

/* Pool objects for requests up to FA_POOL_MAX_SIZE bytes and pool_max_align, heap blocks
 * above; deallocation takes the same route from the size and alignment it is given. */
class pool_resource final : public std::pmr::memory_resource {
public:
    explicit pool_resource(fa_alloc *fa) noexcept : fa_(fa) {}
    fa_alloc *allocator() const noexcept { return fa_; }

private:
    void *do_allocate(std::size_t bytes, std::size_t align) override {
        if (bytes == 0) bytes = 1;
        void *p = detail::pooled(bytes, align) ? fa_pool_alloc_aligned(fa_, bytes, align)
                                               : fa_heap_alloc(fa_, bytes, align);
        if (p == nullptr) detail::throw_bad_alloc();
        return p;
    }
    void do_deallocate(void *p, std::size_t bytes, std::size_t align) noexcept override {
        if (bytes == 0) bytes = 1;
        if (detail::pooled(bytes, align))
            fa_pool_free(fa_, p);
        else
            fa_heap_free(fa_, p);
    }
    bool do_is_equal(const std::pmr::memory_resource &other) const noexcept override {
        if (this == &other) return true;
#if FAI_CXX_RTTI
        const auto *o = dynamic_cast<const pool_resource *>(&other);
        return o != nullptr && o->fa_ == fa_;
#else
        return false;
#endif
    }

    fa_alloc *fa_;
};

/* ------------------------------------------------------------------------------------------ */
/* Standard allocator over frame memory                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Two frame_allocators are equal when they use the same fa_alloc: memory of one may be "freed"
 * through the other (freeing is a no-op anyway). */
template <class T>
class frame_allocator {
public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using propagate_on_container_copy_assignment = std::true_type;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::true_type;
    using is_always_equal = std::false_type;
    template <class U>
    struct rebind {
        using other = frame_allocator<U>;
    };

    explicit frame_allocator(fa_alloc *fa) noexcept : fa_(fa) {}
    template <class U>
    frame_allocator(const frame_allocator<U> &other) noexcept : fa_(other.allocator()) {}

    T *allocate(std::size_t n) FA_RETURNS_FRAME {
        void *p = fa_frame_alloc_array(fa_, n != 0 ? n : 1, sizeof(T), alignof(T));
        if (p == nullptr) detail::throw_bad_alloc();
        return static_cast<T *>(p);
    }
    void deallocate(T *, std::size_t) noexcept {}

    fa_alloc *allocator() const noexcept { return fa_; }

private:
    fa_alloc *fa_;
};

template <class T, class U>
inline bool operator==(const frame_allocator<T> &a, const frame_allocator<U> &b) noexcept {
    return a.allocator() == b.allocator();
}
template <class T, class U>
inline bool operator!=(const frame_allocator<T> &a, const frame_allocator<U> &b) noexcept {
    return !(a == b);
}

/* ------------------------------------------------------------------------------------------ */
/* Typed pool objects                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Constructs a T in a pool object. Null if the allocation fails (reported); if the constructor
 * throws, the object is freed and the exception propagates. */
template <class T, class... Args>
inline T *pool_new(fa_alloc *fa, Args &&...args) {
    static_assert(!std::is_array_v<T>, "pool_new makes single objects");
    static_assert(sizeof(T) <= FA_POOL_MAX_SIZE, "object too large for the pools: use the heap");
    static_assert(alignof(T) <= pool_max_align, "alignment above what the pools serve");
    void *mem = fa_pool_alloc_aligned(fa, sizeof(T), alignof(T));
    if (mem == nullptr) return nullptr;
#if FAI_CXX_EXCEPTIONS
    try {
        return ::new (mem) T(std::forward<Args>(args)...);
    } catch (...) {
        fa_pool_free(fa, mem);
        throw;
    }
#else
    return ::new (mem) T(std::forward<Args>(args)...);
#endif
}

/* Destroys and frees an object of pool_new (through a base pointer too, when the destructor is
 * virtual). Null is ignored. A pointer fa_check_ptr rejects (not fa's memory; in debug builds
 * also an object already freed) is reported and neither destroyed nor freed. */
template <class T>
inline void pool_delete(fa_alloc *fa, T *p) noexcept {
    if (p == nullptr) return;
    void *mem = detail::object_start(p);
    if (fa_check_ptr(fa, mem) != FA_OK) return;
    p->~T();
    fa_pool_free(fa, mem);
}

/* ------------------------------------------------------------------------------------------ */
/* Typed frame objects                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* Deleter of frame_ptr: runs the destructor only; the memory belongs to the frame scope. */
template <class T>
struct frame_destroy {
    frame_destroy() noexcept = default;
    template <class U, class = std::enable_if_t<std::is_convertible_v<U *, T *>>>
    frame_destroy(const frame_destroy<U> &) noexcept {}
    void operator()(T *p) const noexcept { p->~T(); }
};

template <class T>
using frame_ptr = std::unique_ptr<T, frame_destroy<T>>;

/* Constructs a T in the innermost frame scope. Empty if the allocation fails (reported). The
 * holder must go before the scope ends. */
template <class T, class... Args>
inline frame_ptr<T> frame_new(fa_alloc *fa, Args &&...args)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa) {
    static_assert(!std::is_array_v<T>, "frame_new makes single objects: see frame_array");
    void *mem = fa_frame_alloc(fa, sizeof(T), alignof(T));
    if (mem == nullptr) return frame_ptr<T>();
    return frame_ptr<T>(::new (mem) T(std::forward<Args>(args)...));
}

/* ------------------------------------------------------------------------------------------ */
/* span                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* A non-owning view of n contiguous T (the subset of C++20 std::span this layer needs). */
template <class T>
class span {
public:
    using element_type = T;
    using value_type = std::remove_cv_t<T>;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using pointer = T *;
    using reference = T &;
    using iterator = T *;
    using reverse_iterator = std::reverse_iterator<iterator>;

    constexpr span() noexcept = default;
    constexpr span(T *data, std::size_t size) noexcept : data_(data), size_(size) {}
    template <std::size_t N>
    constexpr span(T (&arr)[N]) noexcept : data_(arr), size_(N) {}
    /* span<const T> from span<T>. */
    template <class U, class = std::enable_if_t<std::is_convertible_v<U (*)[], T (*)[]>>>
    constexpr span(const span<U> &other) noexcept : data_(other.data()), size_(other.size()) {}
    /* Any contiguous container with data() and size() (std::vector, std::array, string),
     * as an lvalue: a view of a temporary would dangle at once. */
    template <class C, class = std::enable_if_t<std::is_convertible_v<
                           std::remove_pointer_t<decltype(std::declval<C &>().data())> (*)[],
                           T (*)[]>>>
    constexpr span(C &c) noexcept : data_(c.data()), size_(c.size()) {}

    constexpr T *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr std::size_t size_bytes() const noexcept { return size_ * sizeof(T); }
    [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }

    constexpr T &operator[](std::size_t i) const noexcept {
        assert(i < size_);
        return data_[i];
    }
    constexpr T &front() const noexcept { return (*this)[0]; }
    constexpr T &back() const noexcept { return (*this)[size_ - 1]; }

    constexpr iterator begin() const noexcept { return data_; }
    constexpr iterator end() const noexcept { return data_ + size_; }
    constexpr reverse_iterator rbegin() const noexcept { return reverse_iterator(end()); }
    constexpr reverse_iterator rend() const noexcept { return reverse_iterator(begin()); }

    constexpr span first(std::size_t n) const noexcept {
        assert(n <= size_);
        return span(data_, n);
    }
    constexpr span last(std::size_t n) const noexcept {
        assert(n <= size_);
        return span(data_ + (size_ - n), n);
    }
    /* Elements [offset, offset + count); count past the end is clamped. */
    constexpr span subspan(std::size_t offset,
                           std::size_t count = static_cast<std::size_t>(-1)) const noexcept {
        assert(offset <= size_);
        std::size_t rest = size_ - offset;
        return span(data_ + offset, count < rest ? count : rest);
    }

private:
    T *data_ = nullptr;
    std::size_t size_ = 0;
};

/* n value-initialised T in the innermost frame scope; empty if the allocation fails (reported).
 * T must be trivially destructible: nothing runs destructors of frame arrays. */
template <class T>
inline span<T> frame_array(fa_alloc *fa, std::size_t n)
    FA_RETURNS_FRAME FA_RETURNS_FRAME_OF(fa) {
    static_assert(std::is_trivially_destructible_v<T>,
                  "frame_array holds trivially destructible types only (see frame_new)");
    static_assert(std::is_nothrow_default_constructible_v<T>,
                  "frame_array value-initialises its elements, which must not throw");
    if (n == 0) return span<T>();
    void *mem = fa_frame_alloc_array(fa, n, sizeof(T), alignof(T));
    if (mem == nullptr) return span<T>();
    T *p = static_cast<T *>(mem);
    for (std::size_t i = 0; i < n; i++) ::new (static_cast<void *>(p + i)) T();
    return span<T>(p, n);
}

/* A growable contiguous array of T in frame memory (fa_frame_vec underneath): it belongs to the
 * innermost frame scope open at construction and to the calling thread, grows in place while it
 * is that scope's newest allocation, and is valid until the scope ends. T must be trivially
 * copyable and destructible: growth moves bytes and the scope's end runs no destructors.
 * Neither copyable nor movable (the C vector is used through the struct that was initialised).
 * A push that fails (frame limit, out of memory, no open frame) returns false / nullptr and
 * has been reported; the vector is unchanged. Pointers, references and iterators into it are
 * valid until the next growth. */
template <class T>
class frame_vector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "frame_vector holds trivially copyable, trivially destructible types");

public:
    using value_type = T;
    using size_type = std::size_t;
    using iterator = T *;
    using const_iterator = const T *;

    explicit frame_vector(fa_alloc *fa, std::size_t reserve_n = 0) noexcept {
        fa_frame_vec_init(&v_, fa, sizeof(T), alignof(T));
        if (reserve_n != 0) fa_frame_vec_reserve(&v_, reserve_n);
    }
    frame_vector(const frame_vector &) = delete;
    frame_vector &operator=(const frame_vector &) = delete;

    bool push_back(const T &value) noexcept { return emplace_back(value) != nullptr; }
    /* The new element, or nullptr (reported). */
    template <class... Args>
    T *emplace_back(Args &&...args) noexcept(std::is_nothrow_constructible_v<T, Args...>)
        FA_RETURNS_FRAME {
        void *slot = fai_frame_vec_push_sized(&v_, sizeof(T));
        if (slot == nullptr) return nullptr;
        return ::new (slot) T(std::forward<Args>(args)...);
    }
    /* Room for n elements in total: FA_OK or the reported status. */
    status reserve(std::size_t n) noexcept { return fa_frame_vec_reserve(&v_, n); }
    /* Shrinking keeps the memory (frame memory is released by the scope's end only). */
    void pop_back() noexcept {
        assert(v_.len != 0);
        v_.len--;
    }
    void clear() noexcept { v_.len = 0; }

    T *data() noexcept FA_RETURNS_FRAME { return static_cast<T *>(v_.data); }
    const T *data() const noexcept FA_RETURNS_FRAME { return static_cast<const T *>(v_.data); }
    std::size_t size() const noexcept { return v_.len; }
    std::size_t capacity() const noexcept { return v_.cap; }
    bool empty() const noexcept { return v_.len == 0; }
    T &operator[](std::size_t i) noexcept FA_RETURNS_FRAME {
        assert(i < v_.len);
        return data()[i];
    }
    const T &operator[](std::size_t i) const noexcept FA_RETURNS_FRAME {
        assert(i < v_.len);
        return data()[i];
    }
    T &back() noexcept FA_RETURNS_FRAME { return (*this)[v_.len - 1]; }
    iterator begin() noexcept FA_RETURNS_FRAME { return data(); }
    iterator end() noexcept FA_RETURNS_FRAME { return data() + v_.len; }
    const_iterator begin() const noexcept FA_RETURNS_FRAME { return data(); }
    const_iterator end() const noexcept FA_RETURNS_FRAME { return data() + v_.len; }
    /* The elements as a span (valid until the next growth). */
    span<T> view() noexcept FA_RETURNS_FRAME { return span<T>(data(), v_.len); }
    fa_frame_vec *c_vec() noexcept { return &v_; }

private:
    fa_frame_vec v_;
};

/* A hash map from uint64_t keys (entity ids, hashes; every value is a valid key) to V in frame
 * memory (fa_frame_map underneath), with the same scope and thread rules as frame_vector. V must
 * be trivially copyable and destructible; a new entry starts zero-filled. Value pointers are
 * valid until the next insertion. Failures return nullptr / false and have been reported. */
template <class V>
class frame_map {
    static_assert(std::is_trivially_copyable_v<V> && std::is_trivially_destructible_v<V>,
                  "frame_map holds trivially copyable, trivially destructible values");

public:
    explicit frame_map(fa_alloc *fa, std::size_t expected = 0) noexcept {
        fa_frame_map_init(&m_, fa, sizeof(V), alignof(V), expected);
    }
    frame_map(const frame_map &) = delete;
    frame_map &operator=(const frame_map &) = delete;

    /* The value of key, inserted zero-filled if absent; nullptr on failure. */
    V *try_emplace(std::uint64_t key) noexcept FA_RETURNS_FRAME {
        return static_cast<V *>(fa_frame_map_put(&m_, key));
    }
    /* Inserts or overwrites. */
    bool insert_or_assign(std::uint64_t key, const V &value) noexcept {
        V *slot = try_emplace(key);
        if (slot == nullptr) return false;
        *slot = value;
        return true;
    }
    V *find(std::uint64_t key) noexcept FA_RETURNS_FRAME {
        return static_cast<V *>(fa_frame_map_get(&m_, key));
    }
    const V *find(std::uint64_t key) const noexcept FA_RETURNS_FRAME {
        return static_cast<const V *>(fa_frame_map_get(&m_, key));
    }
    bool contains(std::uint64_t key) const noexcept { return find(key) != nullptr; }
    /* 1 if key was there, 0 if not. */
    std::size_t erase(std::uint64_t key) noexcept {
        return static_cast<std::size_t>(fa_frame_map_remove(&m_, key));
    }
    std::size_t size() const noexcept { return fa_frame_map_len(&m_); }
    bool empty() const noexcept { return size() == 0; }
    /* Calls f(key, V &) for every entry, in unspecified order. f may erase entries (any of
     * them); it must not insert. */
    template <class F>
    void for_each(F &&f) {
        std::size_t pos = 0;
        std::uint64_t key = 0;
        void *value = nullptr;
        while (fa_frame_map_next(&m_, &pos, &key, &value) != 0) f(key, *static_cast<V *>(value));
    }
    fa_frame_map *c_map() noexcept { return &m_; }

private:
    fa_frame_map m_;
};

} // namespace fa

#endif /* FRAMEALLOC_HPP */
