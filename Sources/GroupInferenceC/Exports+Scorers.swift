import CGroupInference
import GroupInference

@_cdecl("gi_add_unary_scorer") @implementation
public func gi_add_unary_scorer(_ session: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ weight: Double,
                                _ fn: gi_unary_fn?, _ user: UnsafeMutableRawPointer?,
                                _ destroy: gi_destroy_fn?, _ scorer_id: UnsafeMutablePointer<Int32>?) -> gi_status {
    let owner = CallbackOwner(user, destroy)
    return withSession("gi_add_unary_scorer", session) { h throws(ABIError) -> gi_status in
        let compute: UnaryScoring? = fn.map { fn in
            { step, ids, out in
                let rc = fn(user, Int32(step), ids.baseAddress, ids.count, out.baseAddress)
                if rc != 0 { throw CallbackFailure(code: rc) }
            }
        }
        return try register(h, .unary(try scorerName(name), weight: weight, compute), owner, scorer_id)
    }
}

@_cdecl("gi_add_embedding_scorer") @implementation
public func gi_add_embedding_scorer(_ session: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ weight: Double,
                                    _ dim: Int, _ fn: gi_embedding_fn?, _ user: UnsafeMutableRawPointer?,
                                    _ destroy: gi_destroy_fn?, _ scorer_id: UnsafeMutablePointer<Int32>?) -> gi_status {
    let owner = CallbackOwner(user, destroy)
    return withSession("gi_add_embedding_scorer", session) { h throws(ABIError) -> gi_status in
        guard dim >= 0 else {
            throw .limit("scorer dim = \(dim.sizeT) exceeds the limit of \(Limits.maxEmbeddingDimension)")
        }
        let compute: EmbeddingScoring? = fn.map { fn in
            { step, ids, out in
                let rc = fn(user, Int32(step), ids.baseAddress, ids.count, dim, out.baseAddress)
                if rc != 0 { throw CallbackFailure(code: rc) }
            }
        }
        return try register(h, .embedding(try scorerName(name), dimension: dim, weight: weight, compute),
                            owner, scorer_id)
    }
}

@_cdecl("gi_add_pairwise_scorer") @implementation
public func gi_add_pairwise_scorer(_ session: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ weight: Double,
                                   _ fn: gi_pairwise_fn?, _ user: UnsafeMutableRawPointer?,
                                   _ destroy: gi_destroy_fn?, _ scorer_id: UnsafeMutablePointer<Int32>?) -> gi_status {
    let owner = CallbackOwner(user, destroy)
    return withSession("gi_add_pairwise_scorer", session) { h throws(ABIError) -> gi_status in
        let compute: PairwiseScoring? = fn.map { fn in
            { step, ids, out in
                let rc = fn(user, Int32(step), ids.baseAddress, ids.count, out.baseAddress)
                if rc != 0 { throw CallbackFailure(code: rc) }
            }
        }
        return try register(h, .pairwise(try scorerName(name), weight: weight, compute), owner, scorer_id)
    }
}

private func scorerName(_ cName: UnsafePointer<CChar>?) throws(ABIError) -> String {
    guard let cName else { throw .argument("name is NULL") }
    return String(cString: cName)
}

private func register(_ h: SessionHandle, _ scorer: Scorer, _ owner: CallbackOwner,
                      _ scorerID: UnsafeMutablePointer<Int32>?) throws(ABIError) -> gi_status {
    let id = try core { () throws(GroupInferenceError) in try h.session.add(scorer) }
    h.owners.append(owner)
    scorerID?.pointee = Int32(id)
    return GI_OK
}

// MARK: - Pushed values

/// Checks the pointers and sizes of a push before anything is read.
private func checkPush(_ ids: UnsafePointer<Int32>?, _ n: Int, _ values: UnsafeRawPointer?,
                       _ valuesName: String, candidates: Int) throws(ABIError) {
    guard ids != nil else { throw .argument("ids is NULL") }
    guard values != nil else { throw .argument("\(valuesName) is NULL") }
    guard n.sizeT >= 1, n.sizeT <= candidates else {
        throw .argument("n = \(n.sizeT) must be in 1..M (M = \(candidates))")
    }
}

@_cdecl("gi_push_unary") @implementation
public func gi_push_unary(_ session: OpaquePointer?, _ scorer_id: Int32, _ ids: UnsafePointer<Int32>?,
                          _ n: Int, _ scores: UnsafePointer<Double>?) -> gi_status {
    withSession("gi_push_unary", session) { h throws(ABIError) -> gi_status in
        try checkPush(ids, n, scores, "scores", candidates: h.session.configuration.candidates)
        try core { () throws(GroupInferenceError) in
            try h.session.pushUnary(scorer: Int(scorer_id), ids: UnsafeBufferPointer(start: ids, count: n),
                                    scores: UnsafeBufferPointer(start: scores, count: n))
        }
        return GI_OK
    }
}

@_cdecl("gi_push_embeddings") @implementation
public func gi_push_embeddings(_ session: OpaquePointer?, _ scorer_id: Int32, _ ids: UnsafePointer<Int32>?,
                               _ n: Int, _ dim: Int, _ embeddings: UnsafePointer<Float>?) -> gi_status {
    withSession("gi_push_embeddings", session) { h throws(ABIError) -> gi_status in
        try checkPush(ids, n, embeddings, "embeddings", candidates: h.session.configuration.candidates)
        guard dim.sizeT >= 1, dim.sizeT <= Limits.maxEmbeddingDimension else {
            throw .argument("dim = \(dim.sizeT) must be in 1..\(Limits.maxEmbeddingDimension)")
        }
        try core { () throws(GroupInferenceError) in
            try h.session.pushEmbeddings(scorer: Int(scorer_id), ids: UnsafeBufferPointer(start: ids, count: n),
                                         dimension: dim,
                                         embeddings: UnsafeBufferPointer(start: embeddings, count: n * dim))
        }
        return GI_OK
    }
}

@_cdecl("gi_push_pairwise") @implementation
public func gi_push_pairwise(_ session: OpaquePointer?, _ scorer_id: Int32, _ ids: UnsafePointer<Int32>?,
                             _ n: Int, _ matrix: UnsafePointer<Double>?) -> gi_status {
    withSession("gi_push_pairwise", session) { h throws(ABIError) -> gi_status in
        try checkPush(ids, n, matrix, "matrix", candidates: h.session.configuration.candidates)
        try core { () throws(GroupInferenceError) in
            try h.session.pushPairwise(scorer: Int(scorer_id), ids: UnsafeBufferPointer(start: ids, count: n),
                                       matrix: UnsafeBufferPointer(start: matrix, count: n * n))
        }
        return GI_OK
    }
}
