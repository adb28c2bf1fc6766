package dev.form.testkit.chsim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Detects an image's format by its magic bytes, as Cloud Hypervisor's block layer does. */
final class ImageTypeDetector {
    private ImageTypeDetector() {
    }

    /** "Qcow2", "Vhdx", "FixedVhd", "FlatVmdk" or "Raw". */
    static String detect(Path image) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(32);
            ch.read(head, 0);
            byte[] h = head.array();
            int n = head.position();
            if (n >= 4 && h[0] == 'Q' && h[1] == 'F' && h[2] == 'I' && (h[3] & 0xff) == 0xfb) return "Qcow2";
            if (n >= 8 && new String(h, 0, 8, StandardCharsets.US_ASCII).equals("vhdxfile")) return "Vhdx";
            if (n >= 21 && new String(h, 0, 21, StandardCharsets.US_ASCII).equals("# Disk DescriptorFile")) return "FlatVmdk";
            long size = ch.size();
            if (size >= 512) {
                ByteBuffer footer = ByteBuffer.allocate(8);
                ch.read(footer, size - 512);
                if (new String(footer.array(), StandardCharsets.US_ASCII).equals("conectix")) return "FixedVhd";
            }
            return "Raw";
        }
    }
}
