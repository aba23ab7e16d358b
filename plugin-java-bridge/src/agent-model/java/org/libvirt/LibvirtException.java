package org.libvirt;

/** Model of libvirt-java's exception (org.libvirt:libvirt), the checked one VifDriver.plug declares. */
public class LibvirtException extends Exception {
    private static final long serialVersionUID = 1L;

    public LibvirtException(String message) {
        super(message);
    }
}
