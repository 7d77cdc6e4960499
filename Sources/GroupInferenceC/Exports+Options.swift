import CGroupInference
import GroupInference

/// The defaults of the header, as a C struct.
var defaultOptions: gi_options {
    let c = SessionConfiguration()
    var o = gi_options()
    o.struct_size = MemoryLayout<gi_options>.size
    o.num_candidates = Int32(c.candidates)
    o.group_size = Int32(c.groupSize)
    o.num_steps = Int32(c.steps)
    o.schedule = Int32(GI_SCHEDULE_RATIO.rawValue)
    o.lambda = c.lambda
    o.prune_ratio = 0.5
    o.first_prune_step = 0
    o.solver = c.solver.choice.rawValue
    o.survivor_counts = nil
    o.time_limit = c.solver.timeLimit
    o.mip_gap = c.solver.relativeGap
    o.normalize = c.normalization.rawValue
    o.trace_every_step = 0
    o.seed = c.solver.seed
    o.budget = 0.2
    o.schedule_file = nil
    o.restarts = Int32(c.solver.restarts)
    o.reserved = 0
    o.memory_limit = c.solver.memoryLimit
    return o
}

@_cdecl("gi_options_init") @implementation
public func gi_options_init(_ options: UnsafeMutablePointer<gi_options>?, _ size: Int) -> gi_status {
    guarded("gi_options_init") { () throws(ABIError) -> gi_status in
        var o = defaultOptions
        o.struct_size = size
        try SizedStruct.write(o, to: options, size: size, minimum: SizedStruct.minimumOptions, name: "gi_options")
        return GI_OK
    }
}

/// The caller's options (or the defaults for NULL), field bytes beyond its
/// declared size taking their defaults.
func readOptions(_ pointer: UnsafePointer<gi_options>?) throws(ABIError) -> gi_options {
    guard let pointer else { return defaultOptions }
    return try SizedStruct.read(pointer, declaredSize: pointer.pointee.struct_size,
                                minimum: SizedStruct.minimumOptions, defaults: defaultOptions, name: "gi_options")
}

func solverOptions(_ o: gi_options) throws(ABIError) -> SolverOptions {
    guard let choice = SolverChoice(rawValue: o.solver) else {
        throw .argument("options.solver = \(o.solver) is not a gi_solver (0 auto, 1 exact, 2 heuristic, 3 mip)")
    }
    // size_t beyond Int.max reads as negative: any such limit is "no limit".
    let memory = o.memory_limit.sizeT > UInt(Int.max) ? Int.max : o.memory_limit
    let s = SolverOptions(choice: choice, timeLimit: o.time_limit, relativeGap: o.mip_gap, seed: o.seed,
                          restarts: Int(o.restarts), memoryLimit: memory)
    try core { () throws(GroupInferenceError) in try s.validate() }
    return s
}

/// Checks every field and builds the core's configuration. Sizes are checked
/// before survivor_counts is read.
func sessionConfiguration(_ o: gi_options) throws(ABIError) -> SessionConfiguration {
    var c = SessionConfiguration()
    c.candidates = Int(o.num_candidates)
    c.groupSize = Int(o.group_size)
    c.steps = Int(o.num_steps)
    c.lambda = o.lambda
    c.solver = try solverOptions(o)
    guard let normalization = Normalization(rawValue: o.normalize) else {
        throw .argument("options.normalize = \(o.normalize) is not a gi_normalize (0 none, 1 zscore)")
    }
    c.normalization = normalization
    guard o.trace_every_step == 0 || o.trace_every_step == 1 else {
        throw .argument("options.trace_every_step = \(o.trace_every_step) must be 0 or 1")
    }
    c.traceEveryStep = o.trace_every_step == 1
    if o.schedule_file != nil && o.schedule != Int32(GI_SCHEDULE_COUNTS.rawValue) {
        throw .argument("options.schedule_file is set but schedule = \(o.schedule) is not GI_SCHEDULE_COUNTS (1)")
    }
    switch o.schedule {
    case Int32(GI_SCHEDULE_RATIO.rawValue):
        c.schedule = .ratio(o.prune_ratio, firstStep: Int(o.first_prune_step))
    case Int32(GI_SCHEDULE_COUNTS.rawValue):
        guard c.steps >= 1, c.steps <= Limits.maxSteps else { break } // validate() names the problem
        if let counts = o.survivor_counts {
            guard o.schedule_file == nil else {
                throw .argument("options.survivor_counts and options.schedule_file are both set; give one")
            }
            c.schedule = .counts((0..<c.steps).map { Int(counts[$0]) })
        } else if let path = o.schedule_file {
            let name = String(cString: path)
            let file = try core { () throws(GroupInferenceError) in try CalibratedSchedule.load(from: name) }
            try core { () throws(GroupInferenceError) in try file.check(against: c, path: name) }
            c.schedule = .counts(file.counts)
        } else {
            throw .argument("options.schedule is GI_SCHEDULE_COUNTS but survivor_counts and schedule_file are NULL")
        }
    case Int32(GI_SCHEDULE_ADAPTIVE.rawValue):
        c.schedule = .adaptive(budget: o.budget)
    default:
        throw .argument("options.schedule = \(o.schedule) is not a gi_schedule (0 ratio, 1 counts, 2 adaptive)")
    }
    guard o.reserved == 0 else { throw .argument("options.reserved = \(o.reserved) must be zero") }
    try core { () throws(GroupInferenceError) in try c.validate() }
    return c
}
