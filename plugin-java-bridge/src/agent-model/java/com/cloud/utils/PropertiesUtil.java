package com.cloud.utils;

import java.io.File;
import java.net.URL;

/**
 * Model of utils/src/main/java/com/cloud/utils/PropertiesUtil.java's findConfigFile: the class path
 * first (the agent's has /etc/cloudstack/agent), then the path as given, then the working directory.
 */
public class PropertiesUtil {
    public static File findConfigFile(String path) {
        URL url = PropertiesUtil.class.getClassLoader().getResource(path);
        if (url != null && "file".equals(url.getProtocol())) {
            return new File(url.getFile());
        }
        url = ClassLoader.getSystemResource(path);
        if (url != null && "file".equals(url.getProtocol())) {
            return new File(url.getFile());
        }
        File file = new File(path);
        if (file.exists()) {
            return file.getAbsoluteFile();
        }
        file = new File(System.getProperty("user.dir"), path);
        return file.exists() ? file : null;
    }
}
