package com.cloud.utils.exception;

/** Model of utils/src/main/java/com/cloud/utils/exception/CloudRuntimeException.java. */
public class CloudRuntimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CloudRuntimeException(String message) {
        super(message);
    }

    public CloudRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
