package dev.canopy.jmx;

import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotificationEmitter;
import javax.management.StandardEmitterMBean;
import javax.management.StandardMBean;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;

/**
 * MBeans whose operations show their parameters' real names ({@code path}, {@code reason}) in JConsole and JMC,
 * instead of the {@code p0}, {@code p1} the MXBean introspector gives. The names are read from the MXBean
 * interface's methods, which the build compiles with {@code -parameters}; without it they would be {@code arg0}, and
 * the introspector's names are kept.
 */
final class Beans {
    private Beans() {
    }

    static <T> StandardMBean mxBean(T implementation, Class<T> mxBeanInterface) {
        return new Named(implementation, mxBeanInterface);
    }

    static <T> StandardEmitterMBean emitterMxBean(T implementation, Class<T> mxBeanInterface,
                                                  NotificationEmitter emitter) {
        return new NamedEmitter(implementation, mxBeanInterface, emitter);
    }

    /** The declared name of {@code param} in the interface method behind {@code op}, or its current name. */
    static String parameterName(Class<?> mxBeanInterface, MBeanOperationInfo op, MBeanParameterInfo param,
                                int sequence) {
        Method found = null;
        for (Method m : mxBeanInterface.getMethods()) {
            if (m.getName().equals(op.getName()) && m.getParameterCount() == op.getSignature().length) {
                if (found != null) {
                    return param.getName(); // overloaded by arity: which one is meant is not ours to guess
                }
                found = m;
            }
        }
        if (found == null) {
            return param.getName();
        }
        Parameter p = found.getParameters()[sequence];
        return p.isNamePresent() ? p.getName() : param.getName();
    }

    private static final class Named extends StandardMBean {
        <T> Named(T implementation, Class<T> mxBeanInterface) {
            super(implementation, mxBeanInterface, true);
        }

        @Override
        protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
            return parameterName(getMBeanInterface(), op, param, sequence);
        }
    }

    private static final class NamedEmitter extends StandardEmitterMBean {
        <T> NamedEmitter(T implementation, Class<T> mxBeanInterface, NotificationEmitter emitter) {
            super(implementation, mxBeanInterface, true, emitter);
        }

        @Override
        protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
            return parameterName(getMBeanInterface(), op, param, sequence);
        }
    }
}
