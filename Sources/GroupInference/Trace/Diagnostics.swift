/// Which scores of a record a diagnostic looks at.
public enum ScoreSeries: Sendable, Equatable {
    /// The combined unary score, as the solver saw it.
    case unary
    /// The mean combined pairwise score to the other scored candidates.
    case diversity
    /// One scorer's raw values.
    case scorer(Int)
}

/// How settled a record's scores are: do they rank candidates as the previous
/// scoring and as the final one do, and does the best group still change?
public struct Diagnostics: Sendable, Equatable {
    /// Spearman rank correlation with the previous record's scores, over the
    /// candidates both scored (nil for the first record or fewer than 3 common).
    public let spearmanPrevious: Double?
    public let commonPrevious: Int
    /// The same against the final record, once the session is done.
    public let spearmanFinal: Double?
    public let commonFinal: Int
    /// Share of this record's best K-group that was also the previous record's
    /// best K-group (nil unless both were computed: detail mode).
    public let groupOverlapPrevious: Double?
    /// Share of it that made the final group (nil until done).
    public let groupOverlapFinal: Double?
    /// Median absolute change of the scores since the previous record.
    public let movement: Double?
}

extension GroupSession {
    /// Diagnostics of record `index` for one series of scores; nil if the
    /// index or the scorer does not exist.
    public func diagnostics(record index: Int, series: ScoreSeries) -> Diagnostics? {
        guard index >= 0, index < records.count else { return nil }
        if case let .scorer(s) = series, s < 0 || s >= slots.count { return nil }
        let record = records[index]
        // Discard records score nothing: they have no diagnostics, and the
        // previous record of a scoring is the previous scoring.
        if record.isDiscard {
            return Diagnostics(spearmanPrevious: nil, commonPrevious: 0, spearmanFinal: nil, commonFinal: 0,
                               groupOverlapPrevious: nil, groupOverlapFinal: nil, movement: nil)
        }
        let previous = records[..<index].last { !$0.isDiscard }
        let final = isDone ? records.last : nil
        let againstPrevious = previous.map { paired(record, record.values(series), $0, $0.values(series)) }
        let againstFinal = final.map { paired(record, record.values(series), $0, $0.values(series)) }
        let k = Double(configuration.groupSize)
        func overlap(_ a: [Int32], _ b: [Int32]) -> Double? {
            guard !a.isEmpty, !b.isEmpty else { return nil }
            return Double(Set(a).intersection(b).count) / k
        }
        let movement = againstPrevious.flatMap { pair -> Double? in
            pair.0.isEmpty ? nil : AdaptiveRule.median(zip(pair.0, pair.1).map { abs($0 - $1) })
        }
        return Diagnostics(
            spearmanPrevious: againstPrevious.flatMap { spearman($0.0, $0.1) },
            commonPrevious: againstPrevious?.0.count ?? 0,
            spearmanFinal: againstFinal.flatMap { spearman($0.0, $0.1) },
            commonFinal: againstFinal?.0.count ?? 0,
            groupOverlapPrevious: previous.flatMap { overlap(record.group, $0.group) },
            groupOverlapFinal: finalGroup.flatMap { overlap(record.group, $0.ids) },
            movement: movement)
    }

    /// The values of the candidates two records both scored, in matching order.
    private func paired(_ a: StepRecord, _ va: [Double], _ b: StepRecord, _ vb: [Double]) -> ([Double], [Double]) {
        var at = [Int32: Int]()
        for (i, id) in b.ids.enumerated() { at[id] = i }
        var x: [Double] = [], y: [Double] = []
        for (i, id) in a.ids.enumerated() {
            if let j = at[id] { x.append(va[i]); y.append(vb[j]) }
        }
        return (x, y)
    }
}

extension StepRecord {
    /// One value per scored id for a series (the scorer must exist).
    public func values(_ series: ScoreSeries) -> [Double] {
        switch series {
        case .unary: unary
        case .diversity: diversity
        case let .scorer(s): s < scorerValues.count ? scorerValues[s] : [] // none in a discard record
        }
    }
}

/// Spearman's rank correlation (ties get average ranks); nil for fewer than
/// three points or a constant series.
func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count == y.count, x.count >= 3 else { return nil }
    let rx = ranks(x), ry = ranks(y)
    let n = Double(x.count)
    let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in 0..<x.count {
        sxy += (rx[i] - mx) * (ry[i] - my)
        sxx += (rx[i] - mx) * (rx[i] - mx)
        syy += (ry[i] - my) * (ry[i] - my)
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}

/// Ranks 1...n, ties sharing their average rank.
func ranks(_ x: [Double]) -> [Double] {
    let order = x.indices.sorted { x[$0] < x[$1] }
    var r = [Double](repeating: 0, count: x.count)
    var start = 0
    while start < order.count {
        var end = start
        while end + 1 < order.count && x[order[end + 1]] == x[order[start]] { end += 1 }
        let average = Double(start + end) / 2 + 1
        for i in start...end { r[order[i]] = average }
        start = end + 1
    }
    return r
}
