/// A schedule derived by `Calibration`, with what it was measured to keep;
/// saved and loaded as a small JSON file.
public struct CalibratedSchedule: Equatable, Sendable {
    public var candidates: Int
    public var groupSize: Int
    public var steps: Int
    /// The λ it was calibrated for (nil if not recorded): retention depends on it.
    public var lambda: Double?
    /// Survivors after each step; the last is K.
    public var counts: [Int]
    /// Model evaluations the schedule spends.
    public var evaluations: Int
    /// Mean and lowest retention over the calibration runs (nil if unknown).
    public var retention: Double?
    public var minimumRetention: Double?
    public var runs: Int

    public init(candidates: Int, groupSize: Int, steps: Int, lambda: Double?, counts: [Int], evaluations: Int,
                retention: Double?, minimumRetention: Double?, runs: Int) {
        self.candidates = candidates; self.groupSize = groupSize; self.steps = steps; self.lambda = lambda
        self.counts = counts
        self.evaluations = evaluations; self.retention = retention; self.minimumRetention = minimumRetention
        self.runs = runs
    }

    static let format = "groupinference-schedule"

    public var json: String {
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "null" }
        return """
            {
              "format": "\(Self.format)",
              "version": 1,
              "num_candidates": \(candidates),
              "group_size": \(groupSize),
              "num_steps": \(steps),
              "lambda": \(number(lambda)),
              "survivor_counts": [\(counts.map(String.init).joined(separator: ", "))],
              "evaluations": \(evaluations),
              "evaluations_fraction": \(Double(evaluations) / Double(candidates * steps)),
              "retention": \(number(retention)),
              "retention_min": \(number(minimumRetention)),
              "runs": \(runs)
            }

            """
    }

    /// Reads and checks a schedule file; the error names what is wrong.
    public static func parse(_ text: String) throws(GroupInferenceError) -> CalibratedSchedule {
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch { throw .argument("schedule file is not valid JSON: \(error.message)") }
        guard case .string(format)? = value["format"] else {
            throw .argument("schedule file lacks \"format\": \"\(format)\"")
        }
        func whole(_ key: String) throws(GroupInferenceError) -> Int {
            guard let x = value[key]?.number, x == x.rounded(), abs(x) < 1e9 else {
                throw .argument("schedule file: \"\(key)\" must be a whole number")
            }
            return Int(x)
        }
        let m = try whole("num_candidates"), k = try whole("group_size"), t = try whole("num_steps")
        guard let list = value["survivor_counts"]?.array else {
            throw .argument("schedule file: \"survivor_counts\" must be an array")
        }
        var counts: [Int] = []
        for (i, entry) in list.enumerated() {
            guard let x = entry.number, x == x.rounded(), abs(x) < 1e9 else {
                throw .argument("schedule file: survivor_counts[\(i)] must be a whole number")
            }
            counts.append(Int(x))
        }
        guard m >= 1, m <= Limits.maxCandidates, k >= 1, k <= m, t >= 1, t <= Limits.maxSteps else {
            throw .argument("schedule file: num_candidates = \(m), group_size = \(k), num_steps = \(t) are out of range")
        }
        try PruneSchedule.counts(counts).validate(candidates: m, groupSize: k, steps: t)
        let evaluations = m + counts.dropLast().reduce(0, +)
        return CalibratedSchedule(candidates: m, groupSize: k, steps: t, lambda: value["lambda"]?.number,
                                  counts: counts, evaluations: evaluations,
                                  retention: value["retention"]?.number, minimumRetention: value["retention_min"]?.number,
                                  runs: (try? whole("runs")) ?? 0)
    }

    public func save(to path: String) throws(GroupInferenceError) {
        guard TextFile.write(json, to: path) else { throw .argument("cannot write the schedule file '\(path)'") }
    }

    /// Whether it suits a session: same M, K, T, and λ when the file records one.
    public func check(against c: SessionConfiguration, path: String) throws(GroupInferenceError) {
        guard candidates == c.candidates, groupSize == c.groupSize, steps == c.steps else {
            throw .argument("schedule_file '\(path)' is for M = \(candidates), K = \(groupSize), T = \(steps), not the options' M = \(c.candidates), K = \(c.groupSize), T = \(c.steps)")
        }
        if let lambda, abs(lambda - c.lambda) > 1e-12 * max(1, abs(lambda)) {
            throw .argument("schedule_file '\(path)' was calibrated for lambda = \(lambda), not the options' lambda = \(c.lambda): its retention does not carry over; calibrate again for this lambda")
        }
    }

    public static func load(from path: String) throws(GroupInferenceError) -> CalibratedSchedule {
        guard let text = TextFile.read(path) else {
            throw .argument("cannot read the schedule file '\(path)' (missing, unreadable or larger than 1 MiB)")
        }
        do { return try parse(text) } catch { throw .init(error.kind, "\(path): \(error.message)") }
    }
}
