package com.cloud.exception;

/** Model of api/src/main/java/com/cloud/exception/ManagementServerException.java. */
public class ManagementServerException extends CloudException {
    private static final long serialVersionUID = 1L;

    public ManagementServerException() {
    }

    public ManagementServerException(String message) {
        super(message);
    }

    public ManagementServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
