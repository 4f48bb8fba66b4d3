/* SPDX-License-Identifier: MIT */
//===--- FrameTransfer.h - framealloc-tidy ----------------------*- C++ -*-===//
//
// The analysis of one function, internal to the analysis: the fixpoint driver
// (FrameAnalysis.cpp), the body's structure (FrameStructure.cpp), exit checks
// and findings (FrameExit.cpp), branch conditions (FrameConditions.cpp),
// transfer functions over CFG elements (FrameTransfer.cpp), values and access
// paths (FrameValues.cpp), objects by type and the standard library
// (FrameTypes.cpp), and frame scopes, implicit and arena-keyed
// (FrameScopes.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef FRAMEALLOC_TIDY_UTILS_FRAMETRANSFER_H
#define FRAMEALLOC_TIDY_UTILS_FRAMETRANSFER_H

#include "FrameAnalysis.h"
#include "FrameState.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/FoldingSet.h"
#include "llvm/ADT/STLExtras.h"
#include <map>
#include <set>
#include <tuple>

namespace clang::tidy::framealloc {

/// The array operand of `a[i]` when `a` is an array (not a pointer).
const Expr *arrayOperand(const ArraySubscriptExpr *AS);
/// Pushes the children of \p S onto \p Work, skipping nested function
/// bodies.
void pushChildren(const Stmt *S, llvm::SmallVectorImpl<const Stmt *> &Work);
/// Looks through the wrappers C++ puts around copies of objects.
const Expr *stripCopies(const Expr *E);
/// A class of the standard library.
bool isStdClass(const CXXRecordDecl *RD);
/// std::thread and std::jthread.
bool isThreadClass(const CXXRecordDecl *RD);
/// The value a C11/GNU atomic builtin stores into the object \p AE points
/// to (atomic_store, atomic_exchange, atomic_compare_exchange_*, ...), or
/// null. \p ByPointer: the operand points to the value (__atomic_store);
/// \p MayFail: a compare-exchange, which may leave the object alone.
const Expr *atomicStoredValue(const AtomicExpr *AE, bool &ByPointer,
                              bool &MayFail);
/// The same for std::atomic's store, exchange and compare_exchange_*.
const Expr *atomicMemberStore(const CXXMemberCallExpr *MC, bool &MayFail);
/// May an object of type \p T keep an address it is built or assigned from?
/// Pointers, references and views (trivially destructible classes holding
/// one: string_view, span, iterators, closures) do; an owner (a class with
/// a non-trivial destructor) keeps what its elements (value_type) keep:
/// std::string and std::vector<int> copy, std::vector<T *> keeps.
bool keepsAddresses(QualType T, unsigned Depth = 0);
/// A class with a non-trivial destructor: it copies the bytes it is given.
bool isOwningClass(QualType T);
/// A view: a trivially destructible class that keeps addresses (span,
/// string_view), whose elements are the memory it points to.
bool isFrameView(QualType T);
/// The closure an argument carries, also when it is converted on the way
/// (`std::function<void()>` built from a lambda).
const LambdaExpr *wrappedLambda(const Expr *E);
/// A class object whose accessors (get(), data(), operator->, operator[],
/// begin()) return the memory it holds: a view, or an owner of a single
/// object (unique_ptr, shared_ptr). \p T may be a pointer to one.
bool isMemoryHandle(QualType T);
/// A member call on such an object returning a pointer, a reference or a
/// view: the object expression, else null.
/// \p IsFrameContainer: containers over a frame allocator count too.
const Expr *handleAccessorObject(
    const CallExpr *Call,
    llvm::function_ref<bool(QualType)> IsFrameContainer = nullptr);
/// `*o`, `o->`, `o.value()` of a std::optional: the optional, whose value
/// is stored inside it (reading it is no dereference of frame memory).
const Expr *optionalObject(const Expr *E);
/// A standard container's insertion; \p Elem is the element type.
bool isContainerInsert(const CXXMemberCallExpr *MC, QualType &Elem);

/// How long the object behind an access path lives, relative to frames.
enum class SlotKind {
  Local,        ///< This function's own objects (and frame objects).
  Outliving,    ///< Reached through a parameter: the caller's objects.
  Global,       ///< Globals, statics and what global pointers point to.
  LongLived,    ///< Marked FA_LONG_LIVED (field, variable or type).
  ThreadShared, ///< Reached through an FA_THREAD_ENTRY_ARG parameter.
};

class FunctionAnalysis {
public:
  FunctionAnalysis(FrameAnalyzer &Analyzer, const FunctionDecl *FD,
                   FunctionResult &Result);
  /// Analyzes the body and fills the result.
  void run();

private:
  // --- Driver (FrameAnalysis.cpp; scanning: FrameStructure.cpp) ----------
  bool isWorthAnalyzing();
  /// One walk over the body: loops that unwind frames, loops that begin
  /// them, element-clearing loops, snapshot and range-for variables.
  void scanStructure();
  void noteResultVar(const VarDecl *VD, const Expr *Init);
  void computeLocalPointerKinds();
  bool solve();
  void reportPass();
  /// Runs \p B's elements over \p In and hands each successor its state.
  void transferBlock(const CFGBlock &B, const FlowState &In,
                     llvm::SmallVectorImpl<FlowState> &Out);
  bool isAbnormalExit(const CFGBlock &B) const;
  /// The checks at function exit (FrameExit.cpp).
  void checkExit(const CFGBlock &Pred, const Disjunct &D);
  /// Edge refinements that are not plain condition facts: a begin wrapper
  /// that reports failure, the exit of a loop that unwinds frames, switch
  /// cases. False if the edge is infeasible.
  bool refineEdge(const CFGBlock &B, unsigned SuccIndex, Disjunct &D);
  bool refineSwitch(const CFGBlock &B, const CFGBlock &Succ, Disjunct &D);
  /// The begin call a branch condition tests (a begin wrapper returning
  /// success), and whether the condition's truth means success.
  const CallExpr *testedBegin(const Expr *Cond, bool &TrueIsSuccess);
  void popTo(unsigned Depth, const Stmt *Site, Disjunct &D, bool LoopBegunOnly);
  void finishFindings();

  // --- Conditions (FrameConditions.cpp) -------------------------------------
  static constexpr unsigned NoCond = ~0u;
  unsigned condKey(const Expr *E, bool &Negated);
  unsigned computeCondKey(const Expr *E, bool &Negated);
  /// Counts how often each condition is tested (CondTests).
  void countTests(const Expr *Cond, unsigned BlockRank);
  void noteSwitchTested(const SwitchStmt *SS, unsigned BlockRank);
  void noteTested(unsigned Key, unsigned BlockRank);
  /// May a branch at or after \p B test \p Key?
  bool condLiveAt(unsigned Key, const CFGBlock *B) const;
  unsigned varCondKey(const VarDecl *VD);
  /// Records that \p Cond has \p Value on this path; false if the path
  /// already knows otherwise (the edge is infeasible).
  bool assume(Disjunct &D, const Expr *Cond, bool Value);
  bool collectCondVars(const Expr *E,
                       llvm::SmallVectorImpl<const ValueDecl *> &Vars);
  void forgetConds(const ValueDecl *V, Disjunct &D);
  void recordConstantAssign(unsigned Key, const Expr *RHS, Disjunct &D);

  // --- Transfer (FrameTransfer.cpp) ---------------------------------------
  void transferElement(const CFGElement &E, Disjunct &D);
  void transferStmt(const Stmt *S, Disjunct &D);
  void handleCall(const CallExpr *CE, Disjunct &D);
  void handleArgument(const FunctionDecl *Callee, unsigned ArgIndex,
                      const Expr *Arg, QualType ParamType, Disjunct &D);
  void handleConstruct(const CXXConstructExpr *CE, Disjunct &D);
  // Objects by type (FrameTypes.cpp).
  /// A standard container's insertion keeps the elements it is given, as
  /// far as their type keeps addresses; false if \p MC is not one.
  bool handleContainerInsert(const CXXMemberCallExpr *MC, Disjunct &D);
  /// The variable of a range-for: an element of the range, and iterating a
  /// view is a use of its memory. False if \p VD is not one.
  bool handleRangeVar(const VarDecl *VD, const Stmt *Site, Disjunct &D);
  void handleAssign(const BinaryOperator *BO, Disjunct &D);
  void handleAtomic(const AtomicExpr *AE, Disjunct &D);
  void handleVarInit(const VarDecl *VD, const Stmt *Site, Disjunct &D);
  void handleReturn(const ReturnStmt *RS, Disjunct &D);
  /// The summary: fields of the returned object holding the caller's frame
  /// memory.
  void noteReturnedFields(const Expr *E, const Disjunct &D);
  /// \p P is set from \p Init: a call whose summary has ReturnedFields
  /// makes those fields of \p P's pointee frame memory.
  void storeReturnedFields(PathId P, const Expr *Init, const Stmt *Site,
                           Disjunct &D);
  /// The same for a record returned by value: what its pointers point to
  /// (ReturnedHeld), noted at the return and stored at the caller's copy.
  void noteReturnedHeld(const Expr *E, const Disjunct &D);
  void storeReturnedHeld(PathId P, const Expr *Init, const Stmt *Site,
                         Disjunct &D);
  /// Shared by both: the field chains below \p Obj holding the caller's
  /// frame memory, and their stores below \p Base from a call's summary.
  void noteFieldChains(PathId Obj, bool Held, const Disjunct &D,
                       llvm::SmallVectorImpl<FieldChain> &Out);
  void storeFieldChains(PathId Base, const Expr *Init, const Stmt *Site,
                        bool Held, Disjunct &D);
  void checkDeref(const Expr *Ptr, Disjunct &D);
  /// A thread hand-off of \p Arg (FrameEffects.cpp).
  void checkCrossing(const FunctionDecl *Callee, unsigned ArgIndex,
                     const Expr *Arg, Disjunct &D, std::string Target = {},
                     const Expr *Call = nullptr);
  /// Where a finding about an argument of \p Call goes: the argument, or
  /// the callee's name when the argument is on another line.
  SourceLocation callLoc(const Expr *Call, const Expr *Arg) const;
  void applySummary(const CallExpr *CE, const FunctionDecl *Callee,
                    Disjunct &D);
  void applyClears(const CallExpr *CE, const FunctionDecl *Callee,
                   Disjunct &D);
  // Frames of the implicit stack (FrameScopes.cpp).
  /// A retain call's slot (FA_RETAIN_SLOT): copied out of the frame when the
  /// innermost scope open now ends, unless the policy discards it.
  /// A retain into a local of an inner block whose frame scope ends after
  /// the block: the copy would be written into a dead variable.
  void checkBlockLocalSlot(const CallExpr *CE, PathId Slot,
                           const Expr *Scope);
  /// Locals declared after a scope guard in its block die before the
  /// guard's destructor writes the retained copies into them.
  void checkSlotsAfterGuard(const VarDecl *Guard, const Disjunct &D);
  void retainSlot(const CallExpr *CE, const FunctionDecl *Callee,
                  const Expr *Slot, Disjunct &D);
  void takeCheckpoint(const CallExpr *CE, Disjunct &D);
  void rollBack(const CallExpr *CE, Disjunct &D);
  /// Marks the origins of \p Scopes ended at \p EndSite.
  void killOrigins(llvm::ArrayRef<const Expr *> Scopes, const Stmt *EndSite,
                   Disjunct &D, PathId Arena = NoPath);
  void beginFrame(const Expr *Site, Disjunct &D);
  void endFrame(const Stmt *Site, Disjunct &D);
  /// Ends a frame of the caller (none of ours is open on \p Arena, NoPath =
  /// any arena).
  void endOuter(const Stmt *Site, PathId Arena, Disjunct &D);
  /// Kills the memory of \p Scope; for the caller's scope (null), only that
  /// of \p Arena (NoPath: every arena).
  void killScope(const Expr *Scope, const Stmt *EndSite, Disjunct &D,
                 PathId Arena = NoPath);
  void store(PathId P, const OriginSet &V, const Stmt *Site,
             const Expr *ValueExpr, bool Weak, Disjunct &D);
  void clearPath(PathId P, Disjunct &D);
  void assignRecord(PathId P, const Expr *Init, const Stmt *Site, bool Weak,
                    Disjunct &D);
  void reportEscape(PathId P, OriginId O, const Disjunct &D,
                    const Message &Why);

  // --- Helper clears (FrameClears.cpp) -----------------------------------
public:
  /// The slots this function clears on every path (see ClearedPath).
  void collectClears(std::vector<ClearedPath> &Out);

private:
  /// The caller's path of a slot \p Callee clears, or NoPath.
  PathId clearedSlot(const CallExpr *CE, const FunctionDecl *Callee,
                     const ClearedPath &C);
  /// Describes a path of this function as a ClearedPath; false when the
  /// slot is not visible to callers.
  bool describeSlot(PathId P, ClearedPath &C);
  /// Does this path know the truth value of \p Arg (a constant, or a
  /// condition fact)?
  bool knownTruth(const Expr *Arg, const Disjunct &D, bool &Truth);
  /// memset(p, 0, sizeof *p) and bzero: the object is zeroed, its pointers
  /// cleared. False if \p CE is not one.
  bool handleZeroing(const CallExpr *CE, Disjunct &D);
  /// collectClears: every slot starts out holding its own marker origin;
  /// those still held at the exit were not cleared there.
  bool ClearsMode = false;
  std::vector<std::pair<PathId, OriginId>> Seeds;
  /// Condition keys of the parameters (collectClears), by parameter.
  llvm::DenseMap<unsigned, unsigned> ParamKeys;

  // --- Helper effects (FrameEffects.cpp) ---------------------------------
public:
  /// What this function does with its pointer parameters (see ParamEffect).
  void collectEffects(std::vector<ParamEffect> &Out);

private:
  /// Frame memory passed to a helper that stores it into long-lived state
  /// or hands it to another thread.
  void checkParamEffects(const FunctionDecl *Callee, unsigned ArgIndex,
                         const Expr *Arg, const Disjunct &D);
  /// A method of this file that stores an argument into a member of its
  /// object: the call stores it into that member of \p MC's object.
  void applyMemberStores(const CXXMemberCallExpr *MC,
                         const FunctionDecl *Callee, Disjunct &D);
  /// "global 'g'", "static 's'", "long-lived 'w->f'" or "'p->f'".
  std::string slotDescription(PathId P);

  // --- Links and copies (FrameLinks.cpp) --------------------------------
  /// \p P was set to \p Value: the nodes it links now, and whose copy it is.
  void noteLinkAndCopy(PathId P, const Expr *Value, bool Weak, Disjunct &D);
  /// The nodes (local pointers) the value of \p E may point to.
  SmallSet<const ValueDecl *> linksOf(const Expr *E, const Disjunct &D);
  /// \p P changes: it and the paths below it are no longer copies of
  /// anything, nor is anything a copy of them.
  void forgetCopies(PathId P, Disjunct &D);
  /// The pointer \p LValue (at \p P) is null on this path: neither it nor
  /// the slots holding a copy of it hold frame memory.
  void assumeNull(const Expr *LValue, PathId P, Disjunct &D);
  /// \p P lies in a node that outlives the frame only by being linked into
  /// an outliving object (LinkedOnly), and on this path no such object
  /// links it any more, or the node itself is frame memory ending with the
  /// frame (the link is then the escape, reported there).
  bool unlinkedNode(PathId P, const Disjunct &D);
  /// An escape of a frame node through the slot \p P: a note at a frame
  /// pointer stored into the node (the same mistake, not a second one).
  void noteLinkedNode(Finding &F, PathId P, const Disjunct &D);

  // --- Values and paths (FrameValues.cpp) -------------------------------
  OriginSet valueOf(const Expr *E, const Disjunct &D);
  OriginSet addressOf(const Expr *L, const Disjunct &D);
  /// What an accessor call on a handle object (handleAccessorObject)
  /// returns: the frame memory the object holds.
  OriginSet heldThroughAccessor(const CallExpr *Call, const Disjunct &D);
  OriginSet lookup(PathId P, const Disjunct &D) const;
  /// Origins held anywhere inside the object at \p P (and, with
  /// \p ThroughDeref, in objects reachable from it).
  OriginSet heldBy(PathId P, const Disjunct &D, bool ThroughDeref) const;
  /// The origins an argument hands over: its value plus what the pointed-to
  /// (or passed) object holds.
  OriginSet reachableFrom(const Expr *E, const Disjunct &D,
                          PathId *Carrier = nullptr);
  PathId lvaluePath(const Expr *E);
  PathId lvaluePathUncached(const Expr *E);
  /// The elements a range-for reference variable binds to (`for (Item &it :
  /// items_)`): the range's path, where its elements are collapsed; NoPath
  /// for other variables and for views, whose elements are frame memory.
  PathId rangeElementPath(const VarDecl *VD);
  /// The slot a local pointer or reference names for its whole life
  /// (FrameAliases.cpp): `Emitter *e = &emitters[i]` is `emitters`'
  /// (collapsed) elements, `Body &b = bodies_[i]` too; NoPath otherwise.
  PathId slotAlias(const VarDecl *VD);
  PathId pointeePath(const Expr *E);
  PathId pointeePathUncached(const Expr *E);
  PathId rebase(PathId P, PathId From, PathId To);
  SlotKind slotKind(PathId P);
  const Expr *currentScope(const Disjunct &D) const;
  /// The innermost open frame scope (null: the caller's).
  const Expr *frameScope(const Disjunct &D) const;
  /// The scope memory allocated now in \p Scope belongs to: its newest
  /// checkpoint, or the scope itself.
  const Expr *newestCheckpoint(const Expr *Scope, const Disjunct &D) const;
  OriginId newOrigin(const Expr *Site, const Disjunct &D);
  bool isFrameAlloc(const CallExpr *CE);
  /// A container whose allocator (allocator_type) allocates frame memory
  /// (its allocate() is FA_RETURNS_FRAME): its elements live in the frame.
  bool isFrameContainer(QualType T);

  // --- Arena-keyed scopes (FrameScopes.cpp) --------------------------------
  /// The expression a keyed contract names in a call or construction: an
  /// argument, or the object of a member call (keyed::This).
  const Expr *keyedArgument(const Expr *Call, unsigned Which) const;
  /// The canonical arena of a keyed argument: the path of the arena object
  /// (`*a` for a pointer `a`, `g` for `&g`, `*(e->arena)`), the arena of a
  /// scope token or of its member (`t`, `t.arena`), or NoPath when the
  /// expression is not one we can name (calls, array elements).
  PathId arenaKey(const Expr *E, const Disjunct &D);
  PathId arenaKeyAt(const Expr *E, const Disjunct &D, unsigned Depth);
  /// The path of an lvalue naming an object by variables and fields only.
  PathId objectKey(const Expr *E, unsigned Depth = 0);
  /// Keys of expressions that are not access paths (array elements), by
  /// their structure: FirstShapeKey + index into ShapeKeys. \p Deref: the
  /// expression is a pointer to the arena, not the arena object.
  PathId shapeKey(const Expr *E, bool Deref);
  static constexpr PathId FirstShapeKey = 1u << 30;
  /// The arena key of a begin call (NoPath: an unkeyed or unnamed arena).
  PathId scopeKey(const Expr *Site) const;
  /// The scope memory returned by \p CE belongs to; false when it is not
  /// frame memory for this function (an arena with a permanent level on
  /// which no scope of ours is open).
  bool allocScope(const CallExpr *CE, const Disjunct &D, const Expr *&Scope,
                  PathId &Arena);
  /// The same for memory pushed into the arena named by \p ArenaArg.
  bool arenaScope(const Expr *ArenaArg, bool HasBase, const Disjunct &D,
                  const Expr *&Scope, PathId &Arena);
  /// Ends the scope named by a keyed end's argument \p Arg.
  void endKeyed(const Stmt *Site, const Expr *Arg, Disjunct &D);
  /// Ends the scope of the token held by \p TokenPath, if we track it.
  /// \p Implicit: the end of the token's lifetime (a guard's destructor, a
  /// cleanup variable), not a call.
  bool endToken(const Stmt *Site, PathId TokenPath, Disjunct &D,
                bool Implicit = false);
  /// An unkeyed scope guard's destructor at \p Site.
  void leaveGuard(const Stmt *Site, const VarDecl *Guard, Disjunct &D);
  /// \p Begin is still open where the scope of \p Guard is left.
  void reportLeftOpen(const Expr *Begin, const Stmt *Site, PathId Guard);
  /// \p Scope is popped at \p Site: an explicit end call ending the scope a
  /// guard variable owns is a pairing mistake (the guard ends it again).
  void noteGuardScopeEnded(const Expr *Scope, const Stmt *Site);
  /// Removes Stack[I] and kills its memory.
  void popScopeAt(unsigned I, const Stmt *Site, Disjunct &D);
  /// \p P is (re)initialized from \p Init: it holds a scope token when Init
  /// is a keyed begin or another token.
  void bindToken(PathId P, const Expr *Init, Disjunct &D);
  /// A call or construction that ends frames, keyed or not.
  void endCall(const Expr *Call, const CalleeInfo &Info, Disjunct &D);
  /// The summary: \p E returns memory of a parameter's arena.
  void noteArenaReturn(const Expr *E, const Disjunct &D);
  /// The summary: \p Value, stored at \p P, is memory of a parameter's arena.
  void noteArenaFill(PathId P, const Expr *Value, const Disjunct &D);
  /// The parameter whose arena \p E (a keyed allocation, directly or
  /// through a local set once) pushes into; keyed::None if not one, and
  /// \p NotParam set when it is a keyed allocation on another arena.
  unsigned arenaParamOf(const Expr *E, const Disjunct &D, bool &NotParam);
  const Expr *aliasOf(const VarDecl *VD);

  // --- Diagnostics (FrameExit.cpp) --------------------------------------
  SourceLocation loc(const Stmt *S) const;
  SourceLocation loc(SourceLocation L) const;
  std::string spelling(const Expr *E) const;
  std::string pathName(PathId P) const;
  std::string functionName() const;
  void addOriginNotes(Finding &F, OriginId O, SourceLocation UseLoc,
                      bool WithEnd) const;
  void addFinding(Finding F);
  void addUseFinding(Finding F, OriginId O);
  OriginId firstDead(const OriginSet &S) const;
  /// \p EndSite (an origin's EndedAt) is a rollback, not the end of a scope.
  bool endedByRollback(const Stmt *EndSite) const;
  OriginId firstLive(const OriginSet &S) const;
  SourceLocation declaratorEnd(const FunctionDecl *FD) const;
  /// May a fix-it add an annotation to \p FD's first declaration? With
  /// \p InHeader, that declaration may sit in a project (non-system) header.
  bool canAnnotate(const FunctionDecl *FD, bool InHeader = false) const;

  FrameAnalyzer &Analyzer;
  ASTContext &Ctx;
  AnnotationIndex &Index;
  const FunctionDecl *FD;
  FunctionResult &Result;
  const CalleeInfo &Self;

  std::unique_ptr<CFG> Cfg;
  std::vector<unsigned> Rank;         ///< Reverse post-order index per block.
  std::vector<unsigned> MinReach;     ///< Lowest rank reachable per block.
  std::vector<unsigned> LastTestRank; ///< Per condition key; ~0u = untested.
  bool Coarse = false; ///< Past the step budget: one disjunct per block.
  std::vector<FlowState> In; ///< Converged in-state per block id.
  PathTable Paths;
  OriginTable Origins;
  bool Reporting = false;
  bool HasEndCall = false;
  bool HasBeginCall = false;
  bool HasCleanupVar = false;
  /// Some callee is keyed (FA_*_ON / FA_RETURNS_FRAME_OF): tokens and arena
  /// keys are tracked.
  bool HasKeyed = false;
  /// Arena key per keyed begin call (computed when it first runs).
  llvm::DenseMap<const Expr *, PathId> ScopeKeys;
  std::vector<llvm::FoldingSetNodeID> ShapeKeys;
  /// Local pointers and references set once, at their declaration, to an
  /// arena expression: `Arena *a = &g->scratch;` names g->scratch.
  llvm::DenseMap<const VarDecl *, const Expr *> Aliases;
  bool AliasesDone = false;
  /// slotAlias: the slot each qualifying local names.
  llvm::DenseMap<const VarDecl *, PathId> SlotAliases;
  bool SlotAliasesDone = false;
  /// Set once SlotAliases is complete: the paths of an expression are fixed
  /// from then on, and the transfer functions ask for them once per disjunct
  /// and visit, so they are remembered.
  bool SlotAliasesReady = false;
  llvm::DenseMap<const Expr *, PathId> LvalueMemo, PointeeMemo;
  /// noteArenaReturn: the parameter seen so far, or a conflict.
  unsigned ArenaReturnParam = keyed::None;
  bool ArenaReturnConflict = false;
  /// noteArenaFill: (filled parameter, arena parameter) pairs, and the
  /// filled parameters seen with different or unknown arenas.
  llvm::SmallVector<std::pair<unsigned, unsigned>, 1> ArenaFills;
  llvm::SmallVector<unsigned, 1> ArenaFillConflicts;
  bool FixOffered = false; ///< One annotation fix-it per function.
  /// Scope guards by the construction that begins their scope, the end call
  /// being run now, and the guards whose scope such a call ended (their
  /// destructor's end is then the same mistake, not a second one).
  llvm::DenseMap<const Expr *, const VarDecl *> GuardOf;
  const Stmt *ExplicitEnd = nullptr;
  /// The call whose arguments are being handled (for callLoc).
  const CallExpr *CurrentCall = nullptr;
  llvm::SmallPtrSet<const Expr *, 2> GuardEndsTaken;

  // From scanStructure().
  /// Loops whose body ends frames and begins none (unwinding loops), and the
  /// end calls inside them.
  llvm::SmallPtrSet<const Stmt *, 4> UnwindLoops;
  llvm::SmallPtrSet<const Stmt *, 4> UnwindEnds;
  /// Begin calls inside a loop that does not end them (paired with a later
  /// unwinding loop, they open a counted number of frames).
  llvm::SmallPtrSet<const Stmt *, 4> LoopBegins;
  /// `a[i] = NULL` in a `for` loop over i: clears the whole array.
  llvm::SmallPtrSet<const Stmt *, 4> LoopClears;
  /// The same per loop: the exit edge of the loop clears the arrays (the
  /// loop's trip count is not modelled, so zero iterations stay possible).
  llvm::DenseMap<const Stmt *, llvm::SmallVector<const Expr *, 1>> ClearingLoops;
  /// `for` loops whose condition holds for the initial value of their
  /// variable (constant bounds): they run at least once. Their condition
  /// blocks, found when the CFG is built.
  llvm::SmallPtrSet<const Stmt *, 2> RunsOnce;
  /// Those of them whose second test fails: the variable is not changed in
  /// the body, and the increment's value fails the condition.
  llvm::SmallPtrSet<const Stmt *, 2> RunsExactlyOnce;
  llvm::DenseMap<const CFGBlock *, const Stmt *> RunsOnceTests;
  /// Per block id: keys of the conditions of conditional expressions the
  /// block evaluates (`p = use_frame ? frame : heap`), whose arms meet there.
  std::vector<llvm::SmallVector<unsigned, 1>> ChoiceKeys;
  /// Integer variables set from a call (`base = depth(fa)`), with the callee:
  /// the frame depth is snapshotted there for unwinding loops.
  llvm::DenseMap<const VarDecl *, const FunctionDecl *> SnapshotVars;
  /// Range-for loop variables and their loops.
  llvm::DenseMap<const VarDecl *, const CXXForRangeStmt *> RangeLoopVars;
  /// Calls of a begin wrapper that may decline (it returns a flag or a
  /// status) whose result is thrown away.
  llvm::SmallPtrSet<const Stmt *, 2> IgnoredBegins;
  void noteIgnoredBegin(const Stmt *S);
  /// Variables holding a checkpoint (`cp = fa_frame_checkpoint(fa)`).
  llvm::DenseMap<const VarDecl *, const CallExpr *> CheckpointVars;
  /// Variables holding the result of a begin wrapper that may decline.
  llvm::DenseMap<const VarDecl *, const CallExpr *> TryBeginVars;
  /// Switch case facts: (condition key, case value) -> fact key.
  std::map<std::pair<unsigned, int64_t>, unsigned> CaseKeys;
  unsigned caseKey(unsigned SwitchKey, int64_t Value);
  void countSwitch(const SwitchStmt *SS);

  /// Flow-insensitive provenance of local pointer variables: what a `p->f`
  /// store reaches when p is a local pointer. Computed on first use: most
  /// functions never store through a local pointer.
  llvm::DenseMap<const VarDecl *, SlotKind> LocalPointerKinds;
  /// Local pointers linked into an outliving object, and where.
  struct Publication {
    const Stmt *Site; ///< `g_list = n` or `nodes_.push_back(n)`.
    const Expr *Into; ///< What the node is linked into.
  };
  llvm::DenseMap<const VarDecl *, Publication> PublishedAt;
  /// Those of them that reach outliving state only through such links
  /// (every link a tracked path): the links are followed flow-sensitively.
  llvm::SmallPtrSet<const VarDecl *, 4> LinkedOnly;
  bool LocalPointerKindsDone = false;

  // Condition keys: structural profiles of side-effect-free expressions.
  std::vector<llvm::FoldingSetNodeID> CondProfiles;
  std::vector<llvm::SmallVector<const ValueDecl *, 2>> CondVarsOf;
  llvm::DenseMap<const VarDecl *, unsigned> VarCondKeys;
  llvm::DenseMap<const Expr *, std::pair<unsigned, bool>> CondKeys;
  /// Branch tests per condition key: facts are kept only for conditions
  /// tested more than once (or set by an assignment and tested).
  llvm::DenseMap<unsigned, unsigned> CondTests;

  // Findings, deduplicated; uses grouped by (origin site, end site) so that
  // one dangling pointer is reported at its first use only.
  std::set<std::tuple<int, unsigned, std::string>> Seen;
  std::map<std::pair<const void *, const void *>, Finding> FirstUses;
};

} // namespace clang::tidy::framealloc

#endif // FRAMEALLOC_TIDY_UTILS_FRAMETRANSFER_H
