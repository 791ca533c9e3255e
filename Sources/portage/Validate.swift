import AdapterKinds
import ArgumentParser
import Foundation
import GatewayCore
import Logging
import NIOPosix

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every adapter declaration and its contracts; print every problem with file, line and key.")

    @OptionGroup var directories: DirectoryOptions

    func run() async throws {
        let environment = AdapterEnvironment(
            contractsDirectory: directories.contracts, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "portage.validate", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            let adapters = try AdapterCatalog.load(adaptersDirectory: directories.adapters, environment: environment)
            let operations = adapters.reduce(0) { $0 + $1.declaration.operations.count }
            print("OK: \(adapters.count) adapter(s), \(operations) operation(s) in \(directories.adapters)")
        } catch {
            for problem in error.problems { print(problem) }
            FileHandle.standardError.write(Data("portage validate: \(error.problems.count) problem(s)\n".utf8))
            throw ExitCode(1)
        }
    }
}
