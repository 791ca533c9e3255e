import Testing

/// The suites that start real legacy software (GnuCOBOL programs, the batch spooler, OpenSSH,
/// `portage serve` itself) run one after another: side by side on two cores they starve each
/// other's timeouts.
@Suite("Real legacy backends, one suite at a time", .serialized)
enum RealBackends {}
