import Foundation

/// Runs a short command to its end with `posix_spawn` and `waitpid`, its standard output
/// collected through a file. Foundation's `Process.waitUntilExit` can miss the child's end while
/// other child processes (servers started by the same test) come and go; this cannot.
enum Command {
    /// Runs blocking work (a compiler, a child's start) on a thread of its own, so that the shared
    /// pool keeps serving the in-process suites running beside this one.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Closes, in the child, every descriptor this process has open above 2 except `keep`: a
    /// child must not inherit other tests' listening sockets (it would hold them open after
    /// their servers close, and connections to them would hang).
    static func closeInherited(_ actions: inout posix_spawn_file_actions_t, keep: Set<Int32>) {
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
        for descriptor in open where descriptor > 2 && !keep.contains(descriptor) && fcntl(descriptor, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("portage-command-\(UUID().uuidString)").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        closeInherited(&actions, keep: [])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // Exited normally with status 0: WIFEXITED and WEXITSTATUS by hand (they are macros).
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
        return text
    }
}

/// A long-running child process (a server, the gateway) started with `posix_spawn` and watched
/// with `waitpid`, so that its end — and whether SIGKILL ended it — is known exactly. Standard
/// input is a pipe held open by this object (a lifeline: children that read it stop when the
/// test process dies); standard output and error go to pipes read by handlers, or nowhere.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?
    private let lifeline: Pipe
    /// Kept for the child's life: a pipe released here would close its reading end and kill the
    /// child with SIGPIPE at its next write.
    private let pipes: [Pipe]

    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        output: (@Sendable (Data) -> Void)? = nil, errors: (@Sendable (Data) -> Void)? = nil
    ) throws {
        lifeline = Pipe()
        let outputPipe = output.map { _ in Pipe() }
        let errorPipe = errors.map { _ in Pipe() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, lifeline.fileHandleForReading.fileDescriptor, 0)
        for (pipe, target) in [(outputPipe, Int32(1)), (errorPipe, Int32(2))] {
            if let pipe {
                posix_spawn_file_actions_adddup2(&actions, pipe.fileHandleForWriting.fileDescriptor, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        // Pipe ends included: after the dup2s above, the child keeps only 0, 1 and 2.
        Command.closeInherited(&actions, keep: [])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Command.Failure(description: "cannot run \(executable): \(String(cString: strerror(spawned)))") }
        self.pid = pid
        pipes = [outputPipe, errorPipe].compactMap { $0 }
        try? lifeline.fileHandleForReading.close()
        for (pipe, handler) in [(outputPipe, output), (errorPipe, errors)] {
            guard let pipe, let handler else { continue }
            try? pipe.fileHandleForWriting.close()
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil } else { handler(data) }
            }
        }
    }

    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if status != nil { return false }
        var value: Int32 = 0
        let result = waitpid(pid, &value, WNOHANG)
        if result == pid { status = value }
        return status == nil
    }

    /// The signal that ended it, if one did.
    var terminatingSignal: Int32? {
        guard !isRunning, let status = lock.withLock({ self.status }) else { return nil }
        return status & 0x7F == 0 ? nil : status & 0x7F
    }

    /// Waits for the end; false if it is still running after `timeout`.
    func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return !isRunning
    }

    /// Closes its standard input (the lifeline), then SIGTERM, then SIGKILL after `grace`.
    func stop(grace: TimeInterval = 10) {
        try? lifeline.fileHandleForWriting.close()
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if !wait(timeout: grace) {
            kill(pid, SIGKILL)
            _ = wait(timeout: 10)
        }
    }
}
