/// A failure inside PROJ, with the stage that failed, PROJ's errno and PROJ's own message.
public struct ProjectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Stage: String, Sendable, Hashable {
        case context, create, normalize, transform
    }
    public var stage: Stage
    /// PROJ's numeric error (`proj_context_errno`), 0 when PROJ set none.
    public var code: Int32
    /// PROJ's message as logged for this context, else `proj_context_errno_string`.
    public var message: String
    /// The CRS pair or point concerned, for the user.
    public var subject: String

    public init(stage: Stage, code: Int32, message: String, subject: String) {
        self.stage = stage
        self.code = code
        self.message = message
        self.subject = subject
    }

    public var description: String {
        switch stage {
        case .context: return "PROJ could not create a context: \(message)"
        case .create: return "PROJ cannot build a transformation \(subject): \(message)"
        case .normalize: return "PROJ cannot normalise axis order \(subject): \(message)"
        case .transform: return "PROJ cannot transform \(subject): \(message)"
        }
    }
}
