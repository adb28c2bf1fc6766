package dev.form.cli;

import dev.form.cli.manage.AddBatchCommand;
import dev.form.cli.manage.AddCommand;
import dev.form.cli.manage.AddDeviceCommand;
import dev.form.cli.manage.AddDiskCommand;
import dev.form.cli.manage.AddFsCommand;
import dev.form.cli.manage.AdoptCommand;
import dev.form.cli.manage.AuditCommand;
import dev.form.cli.manage.ConsoleCommand;
import dev.form.cli.manage.CreateCommand;
import dev.form.cli.manage.DeleteCommand;
import dev.form.cli.manage.GrantCommand;
import dev.form.cli.manage.ListCommand;
import dev.form.cli.manage.ManageCommand;
import dev.form.cli.manage.RemoveCommand;
import dev.form.cli.manage.ResizeCommand;
import dev.form.cli.manage.RevokeCommand;
import dev.form.cli.manage.RmCommand;
import dev.form.cli.manage.ShowCommand;
import dev.form.cli.manage.StartCommand;
import dev.form.cli.manage.StatusCommand;
import dev.form.cli.manage.StopCommand;
import dev.form.cli.model.GeneratedCommandModels;
import dev.form.cli.vmm.VmmCommand;
import dev.form.cli.vmm.VmmServeCommand;
import dev.form.cli.wallet.WalletAddressCommand;
import dev.form.cli.wallet.WalletCommand;
import dev.form.cli.wallet.WalletImportCommand;
import dev.form.cli.wallet.WalletNewCommand;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

/**
 * The command hierarchy. picocli builds a command's model by reflection over its annotations, and every
 * annotation type it reads makes the JDK generate a proxy class at run time (the AOT cache cannot hold them):
 * about 14 ms for the first and 5 ms for each further one. So a run builds its commands from the generated
 * model ({@link GeneratedCommandModels}, the same model written out as code), and only the path its arguments
 * name — plus, where the path ends or goes astray, one level of siblings for the help listing and "did you
 * mean"; completion and the man pages build the whole tree by reflection.
 */
public final class CommandTree {
    private static final Map<Class<?>, List<Class<?>>> CHILDREN = Map.of(
            FormCommand.class, List.of(ManageCommand.class, WalletCommand.class, VmmCommand.class, CompletionCommand.class),
            ManageCommand.class, List.of(AddCommand.class, RemoveCommand.class, RmCommand.class, ResizeCommand.class, ListCommand.class,
                    ShowCommand.class, CreateCommand.class, StartCommand.class, StopCommand.class, DeleteCommand.class,
                    AdoptCommand.class, ConsoleCommand.class, GrantCommand.class, RevokeCommand.class, AuditCommand.class,
                    StatusCommand.class),
            AddCommand.class, List.of(AddDiskCommand.class, AddFsCommand.class, AddDeviceCommand.class, AddBatchCommand.class),
            RmCommand.class, List.of(RmCommand.Disk.class, RmCommand.Fs.class, RmCommand.Device.class),
            WalletCommand.class, List.of(WalletNewCommand.class, WalletAddressCommand.class, WalletImportCommand.class),
            VmmCommand.class, List.of(VmmServeCommand.class));

    private CommandTree() {
    }

    /** Every command. */
    public static void addAll(CommandLine parent) {
        for (Class<?> child : children(parent)) {
            CommandLine sub = new CommandLine(instantiate(child));
            parent.addSubcommand(sub);
            addAll(sub);
        }
    }

    /** The commands {@code args} names, from {@code parent} down, from the generated model. */
    public static void addPath(CommandLine parent, String[] args, int from) {
        List<Class<?>> children = children(parent);
        if (children.isEmpty()) return;
        int next = from;
        while (next < args.length && args[next].startsWith("-")) next++;
        if (next < args.length) {
            for (Class<?> child : children) {
                if (named(child, args[next])) {
                    CommandLine sub = generated(child);
                    attach(parent, sub);
                    addPath(sub, args, next + 1);
                    return;
                }
            }
        }
        for (Class<?> child : children) attach(parent, generated(child));
    }

    /** Every command, from the generated model (what runs build a path of; tests compare it with {@link #addAll}). */
    public static void addAllGenerated(CommandLine parent) {
        for (Class<?> child : children(parent)) {
            CommandLine sub = generated(child);
            attach(parent, sub);
            addAllGenerated(sub);
        }
    }

    private static CommandLine generated(Class<?> command) {
        return new CommandLine(GeneratedCommandModels.spec(GeneratedCommandModels.create(command)));
    }

    /** Through the model rather than CommandLine.addSubcommand, which looks for @ParentCommand fields by reflection. */
    private static void attach(CommandLine parent, CommandLine sub) {
        parent.getCommandSpec().addSubcommand(sub.getCommandSpec().name(), sub);
    }

    private static List<Class<?>> children(CommandLine parent) {
        return CHILDREN.getOrDefault(parent.getCommand().getClass(), List.of());
    }

    private static boolean named(Class<?> command, String word) {
        String[] names = GeneratedCommandModels.names(command);
        if (names == null) throw new IllegalStateException(command.getName() + " is not in the generated command model: run dev.form.cli.model.CommandModelGenerator");
        for (String name : names) if (name.equals(word)) return true;
        return false;
    }

    private static Object instantiate(Class<?> command) {
        try {
            return command.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create command " + command.getName(), e);
        }
    }
}
