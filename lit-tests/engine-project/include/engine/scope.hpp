// engine/scope.hpp - RAII frame scopes and the job system of the C++ layer.
#pragma once

#include <engine/engine.h>
#include <engine/temp.h>
#include <cstddef>
#include <functional>

namespace engine {

class FrameScope {
public:
    explicit FrameScope(Engine *e) FA_BEGINS_FRAME : e_(e) { eng_frame_begin(e); }
    ~FrameScope() FA_ENDS_FRAME { eng_frame_end(e_); }
    FrameScope(const FrameScope &) = delete;
    FrameScope &operator=(const FrameScope &) = delete;

private:
    Engine *e_;
};

class TempScope {
public:
    explicit TempScope(TempArena *a) FA_BEGINS_FRAME : mark_(temp_begin(a)) {}
    ~TempScope() FA_ENDS_FRAME { temp_end(mark_); }
    TempScope(const TempScope &) = delete;
    TempScope &operator=(const TempScope &) = delete;

private:
    TempMark mark_;
};

template <class T>
T *scratch_array(Engine *e, std::size_t n) FA_RETURNS_FRAME;
template <class T>
T *scratch_array(Engine *e, std::size_t n) {
    return static_cast<T *>(eng_scratch(e, n * sizeof(T)));
}

class Jobs {
public:
    // The job runs on a worker thread.
    static void run(std::function<void()> job FA_CROSSES_THREAD);
    static void run_raw(eng_task_fn fn, void *arg FA_CROSSES_THREAD);
    static void wait();
};

} // namespace engine
