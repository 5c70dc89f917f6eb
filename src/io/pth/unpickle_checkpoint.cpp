// A restricted pickle virtual machine: the opcodes torch.save emits for state_dicts,
// and an allowlist of globals. Nothing is ever imported or called.
#include <bit>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>

#include "io/pth/pickle_value.hpp"
#include "veil/common/error.hpp"

namespace veil::io::detail {
namespace {

constexpr std::size_t kMaxStack = 1u << 20;
constexpr std::size_t kMaxMemo = 1u << 22;

std::optional<StorageDtype> dtype_of_global(std::string_view global) {
  static const std::map<std::string_view, StorageDtype> table = {
      {"torch.FloatStorage", StorageDtype::kFloat32},     {"torch.float32", StorageDtype::kFloat32},
      {"torch.HalfStorage", StorageDtype::kFloat16},      {"torch.float16", StorageDtype::kFloat16},
      {"torch.BFloat16Storage", StorageDtype::kBFloat16}, {"torch.bfloat16", StorageDtype::kBFloat16},
      {"torch.DoubleStorage", StorageDtype::kFloat64},    {"torch.float64", StorageDtype::kFloat64},
      {"torch.LongStorage", StorageDtype::kInt64},        {"torch.int64", StorageDtype::kInt64},
  };
  auto it = table.find(global);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

bool allowed_global(std::string_view global) {
  return global == "collections.OrderedDict" || global == "torch._utils._rebuild_tensor_v2" ||
         global == "torch._utils._rebuild_parameter" || dtype_of_global(global).has_value();
}

class Unpickler {
 public:
  Unpickler(const std::vector<std::uint8_t>& bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  Pickle run() {
    while (true) {
      if (pos_ >= bytes_.size()) throw FormatError(name_ + ": data.pkl ends without a STOP opcode (truncated)");
      op_offset_ = pos_;
      op_ = bytes_[pos_++];
      if (op_ == '.') {
        if (stack_.size() != 1 || !marks_.empty())
          fail("STOP with " + std::to_string(stack_.size()) + " values on the stack");
        pickle_.root = stack_.back();
        return std::move(pickle_);
      }
      step();
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", op_);
    throw FormatError(name_ + ": data.pkl opcode " + hex + " at offset " + std::to_string(op_offset_) + ": " + why);
  }

  const std::uint8_t* take(std::uint64_t n) {
    if (n > bytes_.size() - pos_) fail("needs " + std::to_string(n) + " argument bytes, the pickle ends first");
    const std::uint8_t* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::uint64_t take_le(int n) {
    const std::uint8_t* p = take(n);
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{p[i]} << (8 * i);
    return v;
  }
  std::string take_string(std::uint64_t n) {
    const std::uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  std::string take_line() {
    std::string s;
    while (true) {
      const char c = static_cast<char>(*take(1));
      if (c == '\n') return s;
      s += c;
      if (s.size() > 256) fail("GLOBAL name longer than 256 bytes");
    }
  }

  ValuePtr make(Kind kind) {
    if (pickle_.values.size() >= kMaxPickleValues)
      fail("more than " + std::to_string(kMaxPickleValues) + " values (a state_dict makes a few thousand)");
    pickle_.values.push_back(std::make_unique<PickleValue>());
    pickle_.values.back()->kind = kind;
    return pickle_.values.back().get();
  }

  void push(ValuePtr v) {
    if (stack_.size() >= kMaxStack) fail("stack deeper than " + std::to_string(kMaxStack));
    stack_.push_back(std::move(v));
  }
  ValuePtr pop() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("stack underflow");
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  ValuePtr& top() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("stack underflow");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_to_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(mark)),
                                std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }
  ValuePtr make_int(std::int64_t i) {
    auto v = make(Kind::kInt);
    v->integer = i;
    return v;
  }
  ValuePtr make_string(std::string s) {
    auto v = make(Kind::kString);
    v->text = std::move(s);
    return v;
  }
  ValuePtr make_tuple(std::vector<ValuePtr> items) {
    auto v = make(Kind::kTuple);
    v->items = std::move(items);
    return v;
  }
  void memo_put(std::uint64_t index) {
    if (index >= kMaxMemo) fail("memo index " + std::to_string(index) + " is absurd");
    memo_[index] = top();
  }
  ValuePtr memo_get(std::uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo index " + std::to_string(index) + " was never stored");
    return it->second;
  }
  void set_items(ValuePtr& dict, std::vector<ValuePtr>& items) {
    if (dict->kind != Kind::kDict) fail(std::string("SETITEM(S) on a ") + kind_name(dict->kind) + ", expected a dict");
    if (items.size() % 2) fail("SETITEMS with an odd number of values");
    for (auto& item : items) dict->items.push_back(std::move(item));
  }
  void append_items(ValuePtr& list, std::vector<ValuePtr>& items) {
    if (list->kind != Kind::kList) fail(std::string("APPEND(S) on a ") + kind_name(list->kind) + ", expected a list");
    for (auto& item : items) list->items.push_back(std::move(item));
  }
  void push_global(const std::string& module, const std::string& qualname) {
    std::string global = module + "." + qualname;
    if (!allowed_global(global)) fail("global " + global + " is not allowed in a state_dict checkpoint");
    auto v = make(Kind::kGlobal);
    v->text = std::move(global);
    push(std::move(v));
  }

  std::int64_t int_arg(const ValuePtr& v, const char* what) {
    if (v->kind != Kind::kInt) fail(std::string(what) + " is a " + kind_name(v->kind) + ", expected an int");
    return v->integer;
  }
  Shape int_tuple(const ValuePtr& v, const char* what) {
    if (v->kind != Kind::kTuple) fail(std::string(what) + " is a " + kind_name(v->kind) + ", expected a tuple");
    Shape shape;
    for (const auto& item : v->items) shape.push_back(int_arg(item, what));
    return shape;
  }

  ValuePtr persistent_load(const ValuePtr& pid) {
    if (pid->kind != Kind::kTuple || pid->items.size() != 5 || pid->items[0]->kind != Kind::kString ||
        pid->items[0]->text != "storage")
      fail("persistent id is not ('storage', type, key, location, numel)");
    const auto& type = pid->items[1];
    const auto dtype = type->kind == Kind::kGlobal ? dtype_of_global(type->text) : std::nullopt;
    if (!dtype) fail("persistent id storage type is not a known storage or dtype");
    if (pid->items[2]->kind != Kind::kString) fail("storage key is not a string");
    auto v = make(Kind::kStorage);
    v->storage.key = pid->items[2]->text;
    v->storage.dtype = *dtype;
    v->storage.numel = int_arg(pid->items[4], "storage numel");
    if (v->storage.numel < 0) fail("storage numel " + std::to_string(v->storage.numel) + " is negative");
    return v;
  }

  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args) {
    if (callable->kind != Kind::kGlobal) fail(std::string("REDUCE on a ") + kind_name(callable->kind));
    if (args->kind != Kind::kTuple) fail("REDUCE arguments are not a tuple");
    const auto& a = args->items;
    if (callable->text == "collections.OrderedDict") {
      if (!a.empty()) fail("OrderedDict with constructor arguments");
      return make(Kind::kDict);
    }
    if (callable->text == "torch._utils._rebuild_parameter") {
      if (a.size() != 3 || a[0]->kind != Kind::kTensor) fail("_rebuild_parameter expects (tensor, bool, hooks)");
      return a[0];
    }
    if (callable->text == "torch._utils._rebuild_tensor_v2") {
      if ((a.size() != 6 && a.size() != 7) || a[0]->kind != Kind::kStorage)
        fail("_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks[, metadata])");
      auto v = make(Kind::kTensor);
      v->tensor.storage = a[0]->storage;
      v->tensor.offset = int_arg(a[1], "storage offset");
      v->tensor.size = int_tuple(a[2], "tensor size");
      v->tensor.stride = int_tuple(a[3], "tensor stride");
      if (v->tensor.size.size() != v->tensor.stride.size())
        fail("tensor size has " + std::to_string(v->tensor.size.size()) + " dims but stride " +
             std::to_string(v->tensor.stride.size()));
      return v;
    }
    fail("REDUCE of " + callable->text + " is not allowed");
  }

  void step() {
    switch (op_) {
      case 0x80: {  // PROTO
        const auto proto = *take(1);
        if (proto > 5) fail("pickle protocol " + std::to_string(proto) + ", expected at most 5");
        break;
      }
      case 0x95: take(8); break;  // FRAME: framing is only an I/O hint
      case '}': push(make(Kind::kDict)); break;
      case ']': push(make(Kind::kList)); break;
      case ')': push(make(Kind::kTuple)); break;
      case 'N': push(make(Kind::kNone)); break;
      case 0x88:
      case 0x89: {
        auto v = make(Kind::kBool);
        v->integer = op_ == 0x88;
        push(std::move(v));
        break;
      }
      case '(': marks_.push_back(stack_.size()); break;
      case 'd': {
        auto items = pop_to_mark();
        auto dict = make(Kind::kDict);
        set_items(dict, items);
        push(std::move(dict));
        break;
      }
      case 't': push(make_tuple(pop_to_mark())); break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const std::size_t n = op_ - 0x84;
        std::vector<ValuePtr> items(n);
        for (std::size_t i = n; i-- > 0;) items[i] = pop();
        push(make_tuple(std::move(items)));
        break;
      }
      case 'a': {
        std::vector<ValuePtr> items{pop()};
        append_items(top(), items);
        break;
      }
      case 'e': {
        auto items = pop_to_mark();
        append_items(top(), items);
        break;
      }
      case 's': {
        std::vector<ValuePtr> items(2);
        items[1] = pop();
        items[0] = pop();
        set_items(top(), items);
        break;
      }
      case 'u': {
        auto items = pop_to_mark();
        set_items(top(), items);
        break;
      }
      case 'X': push(make_string(take_string(take_le(4)))); break;
      case 0x8c: push(make_string(take_string(take_le(1)))); break;
      case 0x8d: push(make_string(take_string(take_le(8)))); break;
      case 'T': push(make_string(take_string(take_le(4)))); break;
      case 'U': push(make_string(take_string(take_le(1)))); break;
      case 'J': push(make_int(static_cast<std::int32_t>(take_le(4)))); break;
      case 'K': push(make_int(static_cast<std::int64_t>(take_le(1)))); break;
      case 'M': push(make_int(static_cast<std::int64_t>(take_le(2)))); break;
      case 0x8a: {  // LONG1: little-endian two's complement of n bytes
        const auto n = static_cast<int>(take_le(1));
        if (n > 8) fail("LONG1 of " + std::to_string(n) + " bytes does not fit in 64 bits");
        std::uint64_t raw = n ? take_le(n) : 0;
        if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1) raw |= ~std::uint64_t{0} << (8 * n);
        push(make_int(static_cast<std::int64_t>(raw)));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian IEEE double
        const std::uint8_t* p = take(8);
        std::uint64_t raw = 0;
        for (int i = 0; i < 8; ++i) raw = (raw << 8) | p[i];
        auto v = make(Kind::kFloat);
        v->real = std::bit_cast<double>(raw);
        push(std::move(v));
        break;
      }
      case 'q': memo_put(take_le(1)); break;
      case 'r': memo_put(take_le(4)); break;
      case 0x94: memo_put(memo_.size()); break;
      case 'h': push(memo_get(take_le(1))); break;
      case 'j': push(memo_get(take_le(4))); break;
      case 'c': {
        const std::string module = take_line();
        push_global(module, take_line());
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        auto qualname = pop();
        auto module = pop();
        if (module->kind != Kind::kString || qualname->kind != Kind::kString) fail("STACK_GLOBAL needs two strings");
        push_global(module->text, qualname->text);
        break;
      }
      case 'Q': {
        auto pid = pop();
        push(persistent_load(pid));
        break;
      }
      case 'R': {
        auto args = pop();
        auto callable = pop();
        push(reduce(callable, args));
        break;
      }
      case 'b': {  // BUILD: only OrderedDict state (its _metadata attribute), which is dropped
        auto state = pop();
        if (top()->kind != Kind::kDict) fail(std::string("BUILD on a ") + kind_name(top()->kind) + ", expected a dict");
        if (state->kind != Kind::kDict && state->kind != Kind::kNone && state->kind != Kind::kTuple)
          fail(std::string("BUILD state is a ") + kind_name(state->kind));
        break;
      }
      default: fail("unsupported opcode (not used by state_dict checkpoints)");
    }
  }

  const std::vector<std::uint8_t>& bytes_;
  const std::string& name_;
  std::size_t pos_ = 0;
  std::size_t op_offset_ = 0;
  std::uint8_t op_ = 0;
  Pickle pickle_;  // owns every value below
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint64_t, ValuePtr> memo_;
};

}  // namespace

Pickle unpickle_checkpoint(const std::vector<std::uint8_t>& pickle, const std::string& name) {
  return Unpickler(pickle, name).run();
}

}  // namespace veil::io::detail
