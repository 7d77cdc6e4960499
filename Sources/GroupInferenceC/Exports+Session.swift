import CGroupInference
import GroupInference

@_cdecl("gi_session_create") @implementation
public func gi_session_create(_ options: UnsafePointer<gi_options>?,
                              _ session: UnsafeMutablePointer<OpaquePointer?>?) -> gi_status {
    guarded("gi_session_create") { () throws(ABIError) -> gi_status in
        guard let session else { throw .argument("session (the output pointer) is NULL") }
        session.pointee = nil
        let configuration = try sessionConfiguration(readOptions(options))
        let created = try core { () throws(GroupInferenceError) in try GroupSession(configuration) }
        session.pointee = SessionRegistry.insert(SessionHandle(created))
        return GI_OK
    }
}

@_cdecl("gi_session_destroy") @implementation
public func gi_session_destroy(_ session: OpaquePointer?) {
    LastError.clear()
    // Removing the handle drops the registry's reference; if a call on this
    // session is still running (destroy from inside a callback), its hooks
    // run when that call returns.
    guard let session else { return }
    _ = SessionRegistry.remove(session)
}

@_cdecl("gi_set_denoiser") @implementation
public func gi_set_denoiser(_ session: OpaquePointer?, _ fn: gi_denoise_fn?,
                            _ user: UnsafeMutableRawPointer?, _ destroy: gi_destroy_fn?) -> gi_status {
    let owner = CallbackOwner(user, destroy) // destroy runs even if this call fails
    return withSession("gi_set_denoiser", session) { h throws(ABIError) -> gi_status in
        guard let fn else {
            h.session.denoiser = nil
            h.denoiserOwner = nil
            return GI_OK
        }
        h.session.denoiser = { step, ids in
            let rc = fn(user, Int32(step), ids.baseAddress, ids.count)
            if rc != 0 { throw CallbackFailure(code: rc) }
        }
        h.denoiserOwner = owner
        return GI_OK
    }
}

@_cdecl("gi_set_progress") @implementation
public func gi_set_progress(_ session: OpaquePointer?, _ fn: gi_progress_fn?,
                            _ user: UnsafeMutableRawPointer?, _ destroy: gi_destroy_fn?) -> gi_status {
    let owner = CallbackOwner(user, destroy) // destroy runs even if this call fails
    return withSession("gi_set_progress", session) { h throws(ABIError) -> gi_status in
        guard let fn else {
            h.session.progressHandler = nil
            h.progressOwner = nil
            return GI_OK
        }
        h.session.progressHandler = { progress in
            var p = cProgress(progress)
            return fn(user, &p) == 0
        }
        h.progressOwner = owner
        return GI_OK
    }
}

@_cdecl("gi_discard") @implementation
public func gi_discard(_ session: OpaquePointer?, _ ids: UnsafePointer<Int32>?, _ n: Int) -> gi_status {
    withSession("gi_discard", session) { h throws(ABIError) -> gi_status in
        let m = h.session.configuration.candidates
        guard n.sizeT <= m else { throw .argument("n = \(n.sizeT) exceeds M = \(m)") }
        guard n == 0 || ids != nil else { throw .argument("ids is NULL with n = \(n)") }
        let list = n == 0 ? [] : Array(UnsafeBufferPointer(start: ids, count: n))
        try core { () throws(GroupInferenceError) in try h.session.discard(list) }
        return GI_OK
    }
}

@_cdecl("gi_step") @implementation
public func gi_step(_ session: OpaquePointer?) -> gi_status {
    withSession("gi_step", session) { h throws(ABIError) -> gi_status in
        completionStatus(try core { () throws(GroupInferenceError) in try h.session.step() })
    }
}

@_cdecl("gi_prune") @implementation
public func gi_prune(_ session: OpaquePointer?, _ keep: Int32) -> gi_status {
    withSession("gi_prune", session) { h throws(ABIError) -> gi_status in
        completionStatus(try core { () throws(GroupInferenceError) in try h.session.prune(keep: Int(keep)) })
    }
}

@_cdecl("gi_run") @implementation
public func gi_run(_ session: OpaquePointer?) -> gi_status {
    withSession("gi_run", session) { h throws(ABIError) -> gi_status in
        completionStatus(try core { () throws(GroupInferenceError) in try h.session.run() })
    }
}
