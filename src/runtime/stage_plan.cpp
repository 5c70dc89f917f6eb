#include "runtime/stage_plan.hpp"

#include <algorithm>
#include <string>
#include <variant>

#include "veil/common/error.hpp"
#include "veil/compiler/pbs_tables.hpp"

namespace veil::runtime::detail {

namespace {

using nn::quant::QNode;
using nn::quant::QOpKind;

[[noreturn]] void inconsistent(const QNode& node, const std::string& what) {
  throw InvalidArgument("server: program node " + node.name + ": " + what);
}

void require_lift(const QNode& node, int from, int to) {
  if (from > to || to - from > 63) {
    inconsistent(node, "reads a value at exponent " + std::to_string(from) + " into exponent " + std::to_string(to) +
                           ", expected a lift by 2^0..2^63");
  }
}

// A Combine divides the multipliers of an input above its exponent: every one must divide exactly.
void require_combine_lifts(const QNode& node, const compiler::FheProgram& program, int e) {
  const auto& a = std::get<nn::quant::CombineAttrs>(node.attrs);
  for (std::size_t k = 0; k < node.inputs.size(); ++k) {
    const int from = program.encodings[static_cast<std::size_t>(node.inputs[k])].exponent;
    try {
      for (std::int64_t m : a.multipliers[k]) compiler::lifted_weight(m, from, e, "input " + std::to_string(k));
    } catch (const InvalidArgument& error) {
      inconsistent(node, error.what());
    }
  }
}

// A PBS site's read as the runtime applies it, checked against the lookup that defines it.
PbsRead make_pbs_read(const compiler::FheProgram& program, const QNode& node, nn::quant::QValueId id,
                      const nn::quant::LookupAttrs& lookup, int input_exponent) {
  const compiler::PbsSite* site = program.site_of(id);
  if (site == nullptr) inconsistent(node, "has no PBS site");
  const int exponent = program.encodings[static_cast<std::size_t>(id)].exponent;
  if (site->precision_bits != lookup.bits || site->read_exponent != 63 - lookup.bits - lookup.shift) {
    inconsistent(node, "PBS site reads " + std::to_string(site->precision_bits) + " bits at exponent " +
                           std::to_string(site->read_exponent) + ", expected " + std::to_string(lookup.bits) +
                           " bits at 63 - bits - shift = " + std::to_string(63 - lookup.bits - lookup.shift));
  }
  if (site->output_exponent != exponent) {
    inconsistent(node, "table entries at exponent " + std::to_string(site->output_exponent) +
                           ", the value's exponent is " + std::to_string(exponent));
  }
  require_lift(node, input_exponent, site->read_exponent);
  return PbsRead{lookup.bits, site->read_exponent, lookup.offset, compiler::make_pbs_tables(program, *site)};
}

Stage make_stage(StageKind kind, nn::quant::QValueId node, std::vector<std::size_t> inputs, int exponent) {
  Stage s;
  s.kind = kind;
  s.node = node;
  s.inputs = std::move(inputs);
  s.exponent = exponent;
  return s;
}

void set_window(Stage& s, std::int64_t window, std::int64_t stride, std::int64_t padding) {
  s.access = LineAccess::window;
  s.window = window;
  s.stride = stride;
  s.padding = padding;
}

// Stage kinds whose input must be one whole row.
bool reads_whole(StageKind kind) { return kind == StageKind::Linear || kind == StageKind::Flatten; }

}  // namespace

StagePlan make_stage_plan(const compiler::FheProgram& program) {
  const auto& nodes = program.circuit.nodes;
  if (nodes.empty() || program.encodings.size() != nodes.size()) {
    throw InvalidArgument("server: program with " + std::to_string(nodes.size()) + " nodes and " +
                          std::to_string(program.encodings.size()) + " encodings, expected one per node");
  }
  StagePlan plan;
  std::vector<std::size_t> value_stage(nodes.size());
  std::vector<Shape> shapes;  // per stage
  for (std::size_t v = 0; v < nodes.size(); ++v) {
    const QNode& n = nodes[v];
    const auto id = static_cast<nn::quant::QValueId>(v);
    const int e = program.encodings[v].exponent;
    std::vector<std::size_t> in;
    for (const auto i : n.inputs) {
      in.push_back(value_stage[static_cast<std::size_t>(i)]);
      // Linear nodes and max-pools lift their inputs to their own exponent; a lookup's table
      // sets its output exponent.
      if (n.op != QOpKind::Lookup && n.op != QOpKind::Combine) {
        require_lift(n, program.encodings[static_cast<std::size_t>(i)].exponent, e);
      }
    }
    if (n.op == QOpKind::Combine) require_combine_lifts(n, program, e);
    const int e_in = n.inputs.empty() ? e : program.encodings[static_cast<std::size_t>(n.inputs[0])].exponent;
    switch (n.op) {
      case QOpKind::QuantizeInput:
        if (v != 0) inconsistent(n, "a QuantizeInput that is not node 0");
        plan.stages.push_back(make_stage(StageKind::Input, id, {}, e));
        break;
      case QOpKind::IntConv2d: {
        const auto& a = std::get<nn::quant::IntConv2dAttrs>(n.attrs);
        plan.stages.push_back(make_stage(StageKind::Conv, id, in, e));
        set_window(plan.stages.back(), a.weight_shape[2], a.stride, a.padding);
        break;
      }
      case QOpKind::IntLinear:
        plan.stages.push_back(make_stage(StageKind::Linear, id, in, e));
        plan.stages.back().access = LineAccess::all;
        break;
      case QOpKind::Combine: plan.stages.push_back(make_stage(StageKind::Combine, id, in, e)); break;
      case QOpKind::SumPool2d: {
        const auto& a = std::get<nn::quant::SumPool2dAttrs>(n.attrs);
        plan.stages.push_back(make_stage(StageKind::SumPool, id, in, e));
        set_window(plan.stages.back(), a.kernel, a.stride, a.padding);
        break;
      }
      case QOpKind::Flatten:
        plan.stages.push_back(make_stage(StageKind::Flatten, id, in, e));
        plan.stages.back().access = LineAccess::all;
        break;
      case QOpKind::Lookup:
        plan.stages.push_back(make_stage(StageKind::Lookup, id, in, e));
        plan.stages.back().pbs = make_pbs_read(program, n, id, std::get<nn::quant::LookupAttrs>(n.attrs), e_in);
        break;
      case QOpKind::MaxPool2d: {
        const auto& a = std::get<nn::quant::MaxPool2dAttrs>(n.attrs);
        PbsRead pbs = make_pbs_read(program, n, id, a.pair, e);
        if (a.schedule == nn::quant::MaxPoolSchedule::Sequential) {
          plan.stages.push_back(make_stage(StageKind::MaxPoolWindows, id, in, e));
          set_window(plan.stages.back(), a.kernel, a.stride, a.padding);
          plan.stages.back().pbs = std::move(pbs);
          break;
        }
        const Shape& in_shape = nodes[static_cast<std::size_t>(n.inputs[0])].shape;
        plan.stages.push_back(make_stage(StageKind::MaxPoolRows, id, in, e));
        plan.stages.back().pbs = pbs;
        shapes.push_back(Shape{n.shape[0], in_shape[1], n.shape[2]});
        plan.stages.push_back(make_stage(StageKind::MaxPoolColumns, id, {plan.stages.size() - 1}, e));
        set_window(plan.stages.back(), a.kernel, a.stride, a.padding);
        plan.stages.back().pbs = std::move(pbs);
        break;
      }
    }
    shapes.push_back(n.shape);
    value_stage[v] = plan.stages.size() - 1;
  }
  plan.output = value_stage.at(static_cast<std::size_t>(program.circuit.output));

  // Live stages (those the output depends on) and their readers.
  std::vector<bool> live(plan.stages.size(), false);
  live[plan.output] = true;
  for (std::size_t s = plan.stages.size(); s-- > 0;) {
    if (!live[s]) continue;
    for (std::size_t k = 0; k < plan.stages[s].inputs.size(); ++k) {
      live[plan.stages[s].inputs[k]] = true;
      plan.stages[plan.stages[s].inputs[k]].readers.push_back(Reader{s, k});
    }
  }
  for (std::size_t s = 0; s < plan.stages.size(); ++s) {
    Stage& st = plan.stages[s];
    const bool whole = s == plan.output || std::any_of(st.readers.begin(), st.readers.end(), [&](const Reader& r) {
                         return reads_whole(plan.stages[r.stage].kind);
                       });
    st.layout = make_row_layout(shapes[s], whole);
  }
  for (const compiler::PbsSite& site : program.pbs_sites) plan.total_pbs += site.count;
  return plan;
}

LineRange input_lines(const StagePlan& plan, const Stage& stage, std::size_t slot, LineRange lines) {
  switch (stage.access) {
    case LineAccess::same: return lines;
    case LineAccess::window:
      return {lines.first * stage.stride - stage.padding, lines.last * stage.stride - stage.padding + stage.window - 1};
    case LineAccess::all: break;
  }
  return {0, plan.stages[stage.inputs[slot]].layout.height - 1};
}

std::size_t first_input_row_needed(const StagePlan& plan, const Stage& stage, std::size_t slot, std::size_t row) {
  const RowLayout& in = plan.stages[stage.inputs[slot]].layout;
  const LineRange lines = input_lines(plan, stage, slot, stage.layout.lines_of(row));
  return in.row_of(std::clamp<std::int64_t>(lines.first, 0, in.height - 1));
}

}  // namespace veil::runtime::detail
